"""The columns of a historical call log and how one row becomes a checked ``ContactInput``.

Every row goes through the same ``validate_contact`` as a contact typed by an operator; this module only turns
cells into values (dates, picklist values in English or Ukrainian, topics, places) and names the column of each
problem. docs/hotline-import.md describes every column for the people who prepare the files.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from varta.core.htcds import Gender, MethodOfControl, TypeOfExploitation
from varta.geo.models import AdminUnit, Country
from varta.geo.search import is_pcode_shaped, normalise
from varta.geo.selectors import UKRAINE_KIND_WORDS, WITH_PARENTS
from varta.hotline.actions import ConsultationInput, ContactInput, validate_contact
from varta.hotline.models import AgeGroup, CallerType, Channel, Direction, Displacement, Outcome, Topic
from varta.hotline.selectors import topic_choices, topics_visible
from varta.orgs.models import Membership

EXTERNAL_ID_MAX = 100  # Contact.external_id
MAX_TEXT = {"notes": 10_000, "referrals": 2_000, "caller_name": 200, "caller_phone": 40, "external_id": 90}
LIST_SEPARATORS = re.compile(r"[;\n]")


@dataclass(frozen=True)
class ImportField:
    key: str
    label: Promise
    help: Promise
    aliases: tuple[str, ...]  # header names that suggest this field, English and Ukrainian
    examples: tuple[str, str]
    required: bool = False


FIELDS: tuple[ImportField, ...] = (
    ImportField(
        "external_id", gettext_lazy("Call id"),
        gettext_lazy("Your system's id of the call, unique across your logs. Without it, a row is identified by "
                     "its content."),
        ("id", "call id", "external id", "no", "number", "номер", "ід", "id дзвінка", "ідентифікатор",
         "номер дзвінка"),
        ("2024-000101", "2024-000102")),
    ImportField(
        "date", gettext_lazy("Date"),
        gettext_lazy("Date, or date and time: 2024-03-01 14:05 or 01.03.2024 14:05 (day first)."),
        ("date", "date and time", "datetime", "start", "started", "started at", "start time", "дата", "дата і час",
         "дата та час", "дата дзвінка", "початок", "час початку"),
        ("2024-03-01 14:05", "01.03.2024 16:40"), required=True),
    ImportField(
        "time", gettext_lazy("Time"), gettext_lazy("Time of day when the date column has none: 14:05."),
        ("time", "time of day", "час"), ("", "")),
    ImportField(
        "channel", gettext_lazy("Channel"),
        gettext_lazy("Phone, Telegram, Viber, WhatsApp, Messenger, e-mail, web chat or walk-in."),
        ("channel", "канал", "канал звернення", "спосіб звернення"), ("phone", "viber")),
    ImportField(
        "direction", gettext_lazy("Direction"), gettext_lazy("Incoming (the default), outgoing or call-back."),
        ("direction", "напрямок", "тип дзвінка"), ("incoming", "incoming")),
    ImportField(
        "duration", gettext_lazy("Duration"),
        gettext_lazy("Seconds (or minutes, chosen when mapping), m:ss or h:mm:ss."),
        ("duration", "duration seconds", "duration s", "length", "тривалість", "тривалість с", "тривалість сек",
         "тривалість хв"),
        ("240", "0:07:30")),
    ImportField(
        "operator", gettext_lazy("Operator"), gettext_lazy("The operator's Varta username; left empty when not found."),
        ("operator", "оператор", "консультант", "username"), ("", "")),
    ImportField(
        "language", gettext_lazy("Language"), gettext_lazy("uk, en, ru, ro … or the language's name."),
        ("language", "мова"), ("uk", "ru")),
    ImportField(
        "caller_type", gettext_lazy("Caller"),
        gettext_lazy("The person concerned, relative, friend, professional or anonymous."),
        ("caller", "caller type", "хто звертається", "абонент", "тип абонента", "заявник"),
        ("person_concerned", "relative")),
    ImportField(
        "sex", gettext_lazy("Sex"), gettext_lazy("Female, male, … (HTCDS gender values) or F / M."),
        ("sex", "gender", "стать"), ("Feminine", "Masculine")),
    ImportField(
        "age_group", gettext_lazy("Age group"), gettext_lazy("An age group such as 25-34, or the age in years."),
        ("age", "age group", "вік", "вікова група"), ("25-34", "41")),
    ImportField(
        "displacement", gettext_lazy("Displacement status"),
        gettext_lazy("IDP, refugee abroad, returnee, third-country national or host community."),
        ("displacement", "displacement status", "status", "статус", "статус переміщення"),
        ("idp", "refugee_abroad")),
    ImportField(
        "place", gettext_lazy("Place"),
        gettext_lazy("P-code (UA2110023) or the exact name of an oblast, raion, hromada or settlement."),
        ("place", "location", "pcode", "p code", "admin pcode", "місце", "місцезнаходження", "населений пункт",
         "громада", "регіон", "область"),
        ("UA2110023", "")),
    ImportField(
        "country", gettext_lazy("Country (when abroad)"),
        gettext_lazy("ISO code (PL, POL) or name, when the caller is abroad."),
        ("country", "country abroad", "країна", "країна перебування"), ("", "PL")),
    ImportField(
        "topics", gettext_lazy("Topics"),
        gettext_lazy("One or more topics, by code or by name in English or Ukrainian, separated by “;”: each is "
                     "one consultation."),
        ("topic", "topics", "consultation", "consultations", "тема", "теми", "тема звернення", "питання"),
        ("job-offer-check; travel-rules", "shelter"), required=True),
    ImportField(
        "outcomes", gettext_lazy("Outcome"),
        gettext_lazy("Information given, referred, case opened or follow-up needed: one for all topics, or one per "
                     "topic separated by “;”."),
        ("outcome", "outcomes", "result", "результат"), ("information; referred", "referred")),
    ImportField(
        "referrals", gettext_lazy("Referred to"),
        gettext_lazy("Where the caller was referred: one text for all topics, or one per topic separated by “;”."),
        ("referrals", "referred to", "referral", "перенаправлено", "перенаправлення", "скеровано"),
        ("; Consulate of Ukraine in Warsaw", "Shelter in Uzhhorod")),
    ImportField(
        "risk_flag", gettext_lazy("Suspected trafficking"), gettext_lazy("Yes or no."),
        ("risk", "risk flag", "suspected trafficking", "trafficking", "ризик", "підозра на торгівлю людьми",
         "підозра"),
        ("no", "no")),
    ImportField(
        "methods_of_control", gettext_lazy("Methods of control"),
        gettext_lazy("HTCDS values (DebtBondage, WithholdsDocuments …) separated by “;”."),
        ("methods of control", "методи контролю"), ("", "")),
    ImportField(
        "exploitation_types", gettext_lazy("Types of exploitation"),
        gettext_lazy("HTCDS values (ForcedLabour …) separated by “;”."),
        ("types of exploitation", "exploitation", "exploitation types", "вид експлуатації", "види експлуатації"),
        ("", "")),
    ImportField(
        "callback_consent", gettext_lazy("Call-back agreed"),
        gettext_lazy("Yes when the caller agreed to a call-back: only then may the name and phone be kept."),
        ("callback", "call back", "callback consent", "call back agreed", "зворотний дзвінок",
         "згода на зворотний дзвінок"),
        ("no", "yes")),
    ImportField(
        "caller_name", gettext_lazy("Caller's name"), gettext_lazy("Only with a call-back agreed. Stored encrypted."),
        ("name", "caller name", "caller s name", "імя", "ім я", "піб", "прізвище ім я"), ("", "Olena")),
    ImportField(
        "caller_phone", gettext_lazy("Caller's phone"),
        gettext_lazy("Only with a call-back agreed: +380… or a Ukrainian number. Stored encrypted."),
        ("phone", "caller phone", "caller s phone", "phone number", "телефон", "номер телефону"),
        ("", "+380671234567")),
    ImportField(
        "notes", gettext_lazy("Notes"), gettext_lazy("Free text without HTML. Stored encrypted."),
        ("notes", "note", "comment", "comments", "summary", "примітки", "примітка", "коментар", "нотатки", "опис"),
        ("Asked how to check an agency in Poland.", "")),
)

FIELD_BY_KEY = {f.key: f for f in FIELDS}
REQUIRED = tuple(f.key for f in FIELDS if f.required)

# ContactInput field (the key of validate_contact's message_dict) → the import field whose column it came from.
_TARGETS = {"started_at": "date", "duration_seconds": "duration", "summary": "notes", "consultations": "topics",
            "location": "place"}


@lru_cache(maxsize=8192)  # picklist values repeat on every row
def header_key(text: str) -> str:
    """A header or value as compared: lower-case, no accents or apostrophes, punctuation as spaces."""
    return " ".join(re.sub(r"[^\w+]+|_", " ", normalise(text)).split())


def suggest_mapping(header: list[str]) -> dict[str, int]:
    """Varta field → column index, guessed from the header names (English, Ukrainian or the field's label)."""
    keys = [header_key(h) for h in header]
    names: dict[str, set[str]] = {}
    for f in FIELDS:
        names[f.key] = {header_key(a) for a in f.aliases} | {header_key(f.key)}
        for language in ("en", "uk"):
            with translation.override(language):
                names[f.key].add(header_key(str(f.label)))
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for exact in (True, False):
        for f in FIELDS:
            if f.key in mapping:
                continue
            for index, key in enumerate(keys):
                if index in used or not key:
                    continue
                if key in names[f.key] or (not exact and any(
                        len(n) >= 4 and key.startswith(n + " ") for n in names[f.key])):
                    mapping[f.key] = index
                    used.add(index)
                    break
    return mapping


# --- Run options ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowOptions:
    columns: dict[str, int]  # field key → column index
    default_channel: str = ""
    duration_unit: int = 1  # seconds per unit of a plain number in the duration column

    @classmethod
    def from_mapping(cls, mapping: dict[str, Any]) -> RowOptions:
        return cls(columns={k: int(v) for k, v in mapping.get("columns", {}).items() if k in FIELD_BY_KEY},
                   default_channel=str(mapping.get("default_channel", "")),
                   duration_unit=int(mapping.get("duration_unit", 1)) or 1)


# --- Looking values up ---------------------------------------------------------------------------------------


_SYNONYMS: dict[str, dict[str, str]] = {
    "channel": {"телефон": "phone", "tel": "phone", "call": "phone", "дзвінок": "phone", "телеграм": "telegram",
                "вайбер": "viber", "вотсап": "whatsapp", "ватсап": "whatsapp", "месенджер": "messenger",
                "facebook": "messenger", "email": "email", "mail": "email", "електронна пошта": "email",
                "ел пошта": "email", "чат": "web_chat", "онлайн чат": "web_chat", "особисто": "walk_in",
                "особистий візит": "walk_in", "visit": "walk_in"},
    "direction": {"in": "incoming", "out": "outgoing", "вхідний": "incoming", "вхідне": "incoming",
                  "вихідний": "outgoing", "вихідне": "outgoing", "зворотний дзвінок": "callback",
                  "call back": "callback"},
    "caller_type": {"self": "person_concerned", "person": "person_concerned", "особа": "person_concerned",
                    "сама особа": "person_concerned", "родич": "relative", "родичка": "relative",
                    "друг": "friend", "подруга": "friend", "знайомий": "friend", "фахівець": "professional",
                    "анонім": "anonymous", "анонімно": "anonymous", "анонімний": "anonymous"},
    "sex": {"f": "Feminine", "female": "Feminine", "woman": "Feminine", "ж": "Feminine", "жін": "Feminine",
            "жінка": "Feminine", "жіноча": "Feminine", "m": "Masculine", "male": "Masculine", "man": "Masculine",
            "ч": "Masculine", "чол": "Masculine", "чоловік": "Masculine", "чоловіча": "Masculine",
            "unknown": "NonSpecifiedUnknown", "невідомо": "NonSpecifiedUnknown",
            "не вказано": "NonSpecifiedUnknown"},
    "age_group": {"невідомо": "unknown"},
    "displacement": {"впо": "idp", "internally displaced": "idp", "біженець": "refugee_abroad",
                     "біженка": "refugee_abroad", "refugee": "refugee_abroad", "повернувся": "returnee",
                     "повернулася": "returnee", "іноземець": "tcn", "місцевий": "host_community",
                     "місцева": "host_community", "host": "host_community", "невідомо": "unknown"},
    "outcomes": {"information": "information", "інформація": "information", "консультація": "information",
                 "referral": "referred", "перенаправлено": "referred", "справа": "case_opened",
                 "follow up": "follow_up", "повторний контакт": "follow_up"},
}
_YES = {"yes", "y", "true", "1", "x", "+", "так", "т", "да", "є"}
_NO = {"no", "n", "false", "0", "-", "ні", "н", "нет", "немає"}
_LANGUAGES = {"ukrainian": "uk", "українська": "uk", "укр": "uk", "english": "en", "англійська": "en",
              "russian": "ru", "російська": "ru", "рос": "ru", "romanian": "ro", "румунська": "ro",
              "moldovan": "ro", "молдовська": "ro", "polish": "pl", "польська": "pl"}
_CHOICES: dict[str, Any] = {"channel": Channel, "direction": Direction, "caller_type": CallerType, "sex": Gender,
                            "age_group": AgeGroup, "displacement": Displacement, "outcomes": Outcome,
                            "methods_of_control": MethodOfControl, "exploitation_types": TypeOfExploitation}
_AGE_BUCKETS = ((17, "0-17"), (24, "18-24"), (34, "25-34"), (49, "35-49"), (64, "50-64"), (150, "65+"))


class Lookups:
    """What the values of one organisation's rows are matched against, read once per run."""

    def __init__(self, organisation_id: int) -> None:
        self.organisation_id = organisation_id
        self.choices: dict[str, dict[str, str]] = {}
        for key, choices in _CHOICES.items():
            table: dict[str, str] = {}
            for language in ("en", "uk"):
                with translation.override(language):
                    for value, label in choices.choices:
                        table.setdefault(header_key(str(label)), value)
            for value in choices.values:
                table[header_key(value)] = value
            for synonym, value in _SYNONYMS.get(key, {}).items():
                table.setdefault(header_key(synonym), value)
            self.choices[key] = table
        self.topics: dict[str, list[Topic]] = {}
        for topic in topic_choices(organisation_id):
            for name in {header_key(topic.code), header_key(topic.name_en), header_key(topic.name_uk)} - {""}:
                self.topics.setdefault(name, []).append(topic)
        self.categories: dict[str, list[Topic]] = {}
        all_topics = list(topics_visible(organisation_id))
        for category in (t for t in all_topics if t.parent_id is None):
            children = [t for t in all_topics if t.parent_id == category.pk]
            if children:
                for name in {category.code, category.name_en, category.name_uk}:
                    self.categories[header_key(name)] = children
        self.countries: dict[str, Country] = {}
        for country in Country.objects.all():
            for name in (country.iso2, country.iso3, country.name_en, country.name_uk):
                if name:
                    self.countries.setdefault(header_key(name), country)
        self.operators = {username.casefold(): user_id for username, user_id in Membership.objects.filter(
            organisation_id=organisation_id).values_list("user__username", "user_id")}
        self.place = lru_cache(maxsize=4096)(self._place)

    def _place(self, text: str) -> tuple[AdminUnit | None, str]:
        """The unit named by a P-code or an exact name, or an error message."""
        compact = text.replace(" ", "").upper()
        if is_pcode_shaped(compact) and compact[:2].isalpha() and any(c.isdigit() for c in compact):
            unit = AdminUnit.objects.select_related(*WITH_PARENTS).filter(pcode=compact).first()
            if unit is None:
                return None, _("Unknown P-code “%(value)s”.") % {"value": text}
            return unit, ""
        name = normalise(text)
        head, _sep, last = name.rpartition(" ")
        units = AdminUnit.objects.select_related(*WITH_PARENTS)
        if head and last in UKRAINE_KIND_WORDS:
            units = units.filter(Q(search_en=head) | Q(search_uk=head), level=UKRAINE_KIND_WORDS[last])
        else:
            units = units.filter(Q(search_en=name) | Q(search_uk=name))
        found = list(units.order_by("level", "pcode")[:6])
        if not found:
            return None, _("Unknown place “%(value)s”: give its P-code.") % {"value": text}
        if len(found) > 1:
            listed = "; ".join(f"{u.pcode} {u.path() or u.name}".strip() for u in found[:5])
            return None, _("“%(value)s” names several places (%(candidates)s): give the P-code.") % {
                "value": text, "candidates": listed}
        return found[0], ""


# --- Cells into values ---------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value).strip()


_TIME = re.compile(r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?")
_DATE_FORMATS = ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M",
                 "%d/%m/%Y", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%d.%m.%y %H:%M", "%d.%m.%y")


def _parse_date(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    text = cell_text(value)
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)  # local time: made aware by the caller
        except ValueError:
            continue
    raise ValueError(text)


def _parse_time(value: Any) -> time | None:
    if isinstance(value, time):
        return value
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, timedelta):
        return (datetime.min + value).time()
    if isinstance(value, float) and 0 <= value < 1:  # a spreadsheet time stored as a fraction of a day
        return (datetime.min + timedelta(seconds=round(value * 86400))).time()
    text = cell_text(value)
    if not text:
        return None
    match = _TIME.fullmatch(text)
    if match is None:
        raise ValueError(text)
    return time(int(match[1]), int(match[2]), int(match[3] or 0))


def _parse_duration(value: Any, unit: int) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        return round(value * unit)
    if isinstance(value, timedelta):
        return round(value.total_seconds())
    if isinstance(value, time):
        return value.hour * 3600 + value.minute * 60 + value.second
    text = cell_text(value).replace(",", ".")
    parts = text.split(":")
    if len(parts) == 1:
        return round(float(text) * unit)
    if len(parts) > 3 or not all(p.strip().isdigit() for p in parts):
        raise ValueError(text)
    numbers = [int(p) for p in parts]
    if len(numbers) == 2:
        numbers.insert(0, 0)
    hours, minutes, seconds = numbers
    return hours * 3600 + minutes * 60 + seconds


def _split(text: str) -> list[str]:
    return [part.strip() for part in LIST_SEPARATORS.split(text) if part.strip()]


@dataclass
class ParsedRow:
    number: int
    data: ContactInput | None = None
    operator_id: int | None = None
    external_id: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field key, translated message)


class _Row:
    """One row being read: the cells by field, and the problems found so far by field."""

    def __init__(self, cells: list[Any], options: RowOptions) -> None:
        self.cells = cells
        self.options = options
        self.errors: dict[str, list[str]] = {}

    def value(self, key: str) -> Any:
        index = self.options.columns.get(key)
        return self.cells[index] if index is not None and index < len(self.cells) else None

    def text(self, key: str) -> str:
        text = cell_text(self.value(key))
        limit = MAX_TEXT.get(key)
        if limit and len(text) > limit:
            self.error(key, _("Longer than %(limit)s characters.") % {"limit": limit})
            return ""
        return text

    def error(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)

    def choice(self, key: str, lookups: Lookups, default: str, text: str | None = None) -> str:
        text = self.text(key) if text is None else text
        if not text:
            return default
        if key == "age_group" and text.isdigit():
            group = next((group for top, group in _AGE_BUCKETS if int(text) <= top), None)
            if group is None:
                self.error(key, _("Unknown value “%(value)s”.") % {"value": text})
                return default
            return group
        found = lookups.choices[key].get(header_key(text))
        if found is None:
            self.error(key, _("Unknown value “%(value)s”.") % {"value": text})
            return default
        return found

    def choices(self, key: str, lookups: Lookups) -> list[str]:
        values = [self.choice(key, lookups, "", part) for part in re.split(r"[;,\n]", self.text(key))
                  if part.strip()]
        return [v for v in values if v]

    def yes_no(self, key: str) -> bool:
        text = header_key(self.text(key))
        if not text or text in _NO:
            return False
        if text in _YES:
            return True
        self.error(key, _("“%(value)s” is neither yes nor no.") % {"value": self.text(key)})
        return False


def parse_row(number: int, cells: list[Any], options: RowOptions, lookups: Lookups, *,
              now: datetime | None = None, identify: bool = True) -> ParsedRow:
    """The row as a validated ContactInput with its external id (unless not ``identify``), or the problems found,
    by field."""
    now = now or timezone.now()
    row = _Row(cells, options)
    started_at = _started_at(row)
    channel_text = row.text("channel") or options.default_channel
    if not channel_text:
        row.error("channel", _("Give the channel."))
    data = ContactInput(
        channel=row.choice("channel", lookups, Channel.PHONE, channel_text),
        started_at=started_at or now - timedelta(days=1),
        duration_seconds=_duration(row),
        direction=row.choice("direction", lookups, Direction.INCOMING),
        language=_language(row),
        caller_type=row.choice("caller_type", lookups, CallerType.ANONYMOUS),
        sex=row.choice("sex", lookups, Gender.UNKNOWN),
        age_group=row.choice("age_group", lookups, AgeGroup.UNKNOWN),
        displacement=row.choice("displacement", lookups, Displacement.UNKNOWN),
        location=_place(row, lookups),
        country=_country(row, lookups),
        methods_of_control=row.choices("methods_of_control", lookups),
        exploitation_types=row.choices("exploitation_types", lookups),
        risk_flag=row.yes_no("risk_flag"),
        callback_consent=row.yes_no("callback_consent"),
        caller_name=row.text("caller_name"),
        caller_phone=row.text("caller_phone"),
        summary=row.text("notes"),
        consultations=_consultations(row, lookups),
    )
    external = row.text("external_id")
    parse_failed = set(row.errors)
    try:
        validate_contact(data, organisation_id=lookups.organisation_id, now=now)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            key = _TARGETS.get(name, name)
            if key not in parse_failed:
                row.errors.setdefault(key, []).extend(messages)
    result = ParsedRow(number=number)
    if row.errors:
        result.errors = [(key, message) for key, messages in row.errors.items() for message in messages]
        return result
    operator = row.text("operator")
    result.data = data
    result.operator_id = lookups.operators.get(operator.casefold()) if operator else None
    if identify:
        result.external_id = f"id:{external}" if external else content_id(data, operator)
    return result


def _started_at(row: _Row) -> datetime | None:
    value = row.value("date")
    if value is None or cell_text(value) == "":
        row.error("date", _("Give the date of the contact."))
        return None
    try:
        moment = _parse_date(value)
    except (ValueError, OverflowError):
        row.error("date", _("“%(value)s” is not a date. Write it as 2024-03-01 14:05 or 01.03.2024 14:05.")
                  % {"value": cell_text(value)})
        return None
    try:
        clock = _parse_time(row.value("time"))
    except (ValueError, OverflowError):
        row.error("time", _("“%(value)s” is not a time of day. Write it as 14:05.")
                  % {"value": cell_text(row.value("time"))})
        return None
    assert moment is not None
    if clock is not None:
        moment = datetime.combine(moment.date(), clock, tzinfo=moment.tzinfo)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _duration(row: _Row) -> int | None:
    value = row.value("duration")
    try:
        return _parse_duration(value, row.options.duration_unit)
    except (ValueError, OverflowError):
        row.error("duration", _("“%(value)s” is not a duration. Give seconds, minutes:seconds or "
                                "hours:minutes:seconds.") % {"value": cell_text(value)})
        return None


def _language(row: _Row) -> str:
    text = row.text("language")
    if not text:
        return "uk"
    key = header_key(text)
    if key in _LANGUAGES:
        return _LANGUAGES[key]
    if re.fullmatch(r"[a-z]{2,3}", key):
        return key
    row.error("language", _("Unknown language “%(value)s”: give its code, such as uk or en.") % {"value": text})
    return "uk"


def _place(row: _Row, lookups: Lookups) -> AdminUnit | None:
    text = row.text("place")
    if not text:
        return None
    unit, message = lookups.place(text)
    if message:
        row.error("place", message)
    return unit


def _country(row: _Row, lookups: Lookups) -> Country | None:
    text = row.text("country")
    if not text:
        return None
    country = lookups.countries.get(header_key(text))
    if country is None:
        row.error("country", _("Unknown country “%(value)s”.") % {"value": text})
    return country


def _consultations(row: _Row, lookups: Lookups) -> list[ConsultationInput]:
    topics: list[Topic] = []
    for part in _split(row.text("topics")):
        found = lookups.topics.get(header_key(part), [])
        if len(found) == 1:
            topics.append(found[0])
        elif found:
            row.error("topics", _("“%(value)s” names several topics (%(codes)s): give the code.")
                      % {"value": part, "codes": ", ".join(t.code for t in found)})
        elif header_key(part) in lookups.categories:
            children = ", ".join(t.code for t in lookups.categories[header_key(part)])
            row.error("topics", _("“%(value)s” is a category: name one of its topics (%(codes)s).")
                      % {"value": part, "codes": children})
        else:
            row.error("topics", _("Unknown topic “%(value)s”.") % {"value": part})
    if not topics and "topics" not in row.errors:
        row.error("topics", _("Give at least one topic."))
    outcomes = [row.choice("outcomes", lookups, Outcome.INFORMATION, part)
                for part in _split(row.text("outcomes"))] or [Outcome.INFORMATION]
    if len(outcomes) not in (1, len(topics)) and topics:
        row.error("outcomes", _("Give one outcome for all topics, or one per topic (%(count)s).")
                  % {"count": len(topics)})
        outcomes = outcomes[:1]
    referrals_text = row.text("referrals")
    parts = referrals_text.split(";")
    referrals = [p.strip() for p in parts] if len(parts) == len(topics) > 1 else [referrals_text.strip()]
    return [ConsultationInput(topic=topic, outcome=outcomes[i if len(outcomes) > 1 else 0],
                              referrals=referrals[i if len(referrals) > 1 else 0])
            for i, topic in enumerate(topics)]


def content_id(data: ContactInput, operator: str) -> str:
    """A stable id for a row without one: SHA-256 of its normalised, non-personal content.

    The caller's name, phone and the notes are left out, so that the id stored in clear can never be used to test
    guesses of a person's name or number; two rows equal in everything else are taken for the same contact.
    """
    canonical = {
        "started_at": data.started_at.astimezone(UTC).isoformat(), "duration": data.duration_seconds,
        "channel": data.channel, "direction": data.direction, "language": data.language,
        "caller_type": data.caller_type, "sex": data.sex, "age_group": data.age_group,
        "displacement": data.displacement, "place": data.location.pcode if data.location else None,
        "country": data.country.iso2 if data.country else None,
        "methods": sorted(set(data.methods_of_control)), "exploitation": sorted(set(data.exploitation_types)),
        "risk": data.risk_flag, "callback": data.callback_consent, "operator": operator.casefold(),
        "consultations": [[c.topic.pk, c.outcome, c.referrals.strip()] for c in data.consultations],
    }
    digest = hashlib.sha256(json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
    return f"sha256:{digest}"


def column_name(key: str, header: list[str], columns: dict[str, int]) -> str:
    """The file's name for the column of ``key`` (the Varta field's label when it is not in the file)."""
    index = columns.get(key)
    if index is not None and index < len(header) and header[index]:
        return header[index]
    if index is not None:
        return _("Column %(number)s") % {"number": index + 1}
    f = FIELD_BY_KEY.get(key)
    return str(f.label) if f else ""

