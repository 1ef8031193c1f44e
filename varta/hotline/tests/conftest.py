"""Fixtures of the hotline tests: places, topics and a ready contact input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from varta.geo.models import AdminUnit
from varta.hotline.actions import ConsultationInput, ContactInput
from varta.hotline.models import Topic


@pytest.fixture
def places(db) -> dict[str, AdminUnit]:
    def unit(pcode: str, level: int, name_en: str, name_uk: str, parent: AdminUnit | None) -> AdminUnit:
        return AdminUnit.objects.get_or_create(
            pcode=pcode, defaults={"country_iso3": "UKR", "level": level, "parent": parent, "name_en": name_en,
                                   "name_uk": name_uk, "search_en": name_en.lower(), "search_uk": name_uk.lower()})[0]

    oblast = unit("UA21", 1, "Zakarpatska", "Закарпатська", None)
    raion = unit("UA2110", 2, "Uzhhorodskyi", "Ужгородський", oblast)
    hromada = unit("UA2110023", 3, "Uzhhorodska", "Ужгородська", raion)
    return {"oblast": oblast, "raion": raion, "hromada": hromada}


@pytest.fixture
def topics(db) -> dict[str, Topic]:
    return {t.code: t for t in Topic.objects.filter(organisation__isnull=True)}


@pytest.fixture
def contact_input(topics, places):
    def make(**overrides) -> ContactInput:
        data = ContactInput(
            channel="phone", started_at=timezone.now() - timedelta(minutes=3), duration_seconds=240,
            caller_type="person_concerned", sex="Feminine", age_group="25-34", displacement="idp",
            location=places["hromada"],
            consultations=[ConsultationInput(topic=topics["job-offer-check"]),
                           ConsultationInput(topic=topics["travel-rules"], outcome="referred",
                                             referrals="Consulate")])
        for key, value in overrides.items():
            setattr(data, key, value)
        return data

    return make
