"""Places: ISO 3166 countries and administrative units identified by OCHA P-codes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Country(models.Model):
    iso2 = models.CharField(max_length=2, primary_key=True)
    iso3 = models.CharField(max_length=3, unique=True)
    name_en = models.CharField(max_length=100)
    name_uk = models.CharField(max_length=100)

    class Meta:
        ordering = ["name_en"]
        verbose_name_plural = "countries"

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_uk if (get_language() or "en").startswith("uk") and self.name_uk else self.name_en


class AdminUnit(models.Model):
    """An administrative unit. Ukraine: oblast (1) → raion (2) → hromada (3) → settlement (4)."""

    pcode = models.CharField(max_length=20, primary_key=True)
    country_iso3 = models.CharField(max_length=3, db_index=True)
    level = models.PositiveSmallIntegerField()
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    name_en = models.CharField(max_length=200)
    name_uk = models.CharField(max_length=200, blank=True)
    # Lower-cased, apostrophe-free names for prefix search in either language (indexed).
    search_en = models.CharField(max_length=200, db_index=True)
    search_uk = models.CharField(max_length=200, db_index=True, blank=True)
    lat = models.FloatField(null=True)
    lon = models.FloatField(null=True)

    class Meta:
        ordering = ["pcode"]

    def __str__(self) -> str:
        return f"{self.name} ({self.pcode})"

    @property
    def name(self) -> str:
        return self.name_uk if (get_language() or "en").startswith("uk") and self.name_uk else self.name_en

    @property
    def display_name(self) -> str:
        """The name with its kind where Ukrainians say it: "Uzhhorodskyi raion", "Ужгородська громада".

        Oblast, raion and hromada names are adjectives (Ukrainian "-ська", "-ський"); special units such as Kyiv,
        Sevastopol, Crimea or the Chornobyl zone are nouns and keep their bare name.
        """
        if self.country_iso3 == "UKR" and self.level in UKRAINE_UNIT_NAMES:
            ending = "ий" if self.level == 2 else "а"
            if self.name_uk.endswith(ending):
                return str(UKRAINE_UNIT_NAMES[self.level] % {"name": self.name})
        return self.name

    @property
    def ancestors(self) -> list[AdminUnit]:
        """Parents from the nearest up (select_related("parent__parent__parent") makes this query-free)."""
        chain: list[AdminUnit] = []
        unit = self.parent
        while unit is not None and len(chain) < 5:
            chain.append(unit)
            unit = unit.parent
        return chain

    def path(self, country_name: str = "") -> str:
        """"Uzhhorodska hromada, Uzhhorodskyi raion, Zakarpatska oblast" (plus the country when given)."""
        parts: list[str] = []
        for name in (a.display_name for a in self.ancestors):
            if not parts or parts[-1] != name:  # Kyiv the city is its own hromada, raion and "oblast"
                parts.append(name)
        if country_name:
            parts.append(country_name)
        return ", ".join(parts)

    @property
    def level_label(self) -> str:
        if self.country_iso3 == "UKR":
            return str(UKRAINE_LEVELS.get(self.level, ""))
        return str(_("Admin level %(level)s") % {"level": self.level})


UKRAINE_LEVELS = {1: _("oblast"), 2: _("raion"), 3: _("hromada"), 4: _("settlement")}
# "%(name)s" is the adjective ("Zakarpatska", "Закарпатська"); Ukrainian puts the same word after it.
UKRAINE_UNIT_NAMES = {1: _("%(name)s oblast"), 2: _("%(name)s raion"), 3: _("%(name)s hromada")}
