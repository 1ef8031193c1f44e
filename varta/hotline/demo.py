"""Demo hotline traffic for ``varta quickstart`` and ``varta demo-data`` (a generator of varta.core.demo).

For each new demo organisation that runs a hotline (it has hotline operators) it records about 18 months of
contacts: more calls in the spring and summer migration season and around a few evacuation waves, on weekdays
and in the daytime; mostly phone, then Telegram and Viber; one to six consultations a contact, about four on
average (the 527 hotline gave about 35,000 consultations for about 8,000 calls); safe migration and job offers the
most common topics; callers from the oblasts in proportion to their population (P-codes from the loaded
geography; none when it is not loaded), some abroad; about 3 % flagged for suspected trafficking; call-backs due,
overdue and done; a few escalations waiting for case management. Names and phone numbers only where the caller
agreed to a call-back, and they are invented.

Rows are inserted in bulk (``writes.bulk_create``: one audit event per batch) with the denormalised fields filled
by the same helpers as ``actions.contact_create`` (private helpers of actions.py, imported on purpose so that the
demo can never disagree with the real write path), and every contact passes ``actions.validate_contact``.
The size per organisation is ``settings.DEMO_HOTLINE_CONTACTS`` (default ``CONTACTS_PER_HOTLINE``).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.utils import timezone
from faker import Faker

from varta.accounts.models import User
from varta.accounts.permissions import Role
from varta.audit import writes
from varta.core.demo import DemoContext
from varta.core.htcds import Gender, MethodOfControl, TypeOfExploitation
from varta.geo.models import AdminUnit, Country
from varta.hotline import actions, rollups, selectors
from varta.hotline.actions import (
    ConsultationInput,
    ContactInput,
    consultation_row,  # the same denormalised fields as contact_create fills
    contact_fields,
    validate_contact,
)
from varta.hotline.models import (
    AgeGroup,
    Callback,
    CallbackStatus,
    CallerType,
    Channel,
    Consultation,
    Contact,
    Direction,
    Displacement,
    Escalation,
    EscalationStatus,
    Outcome,
    Topic,
)
from varta.orgs.models import Membership, Organisation

T = TypeVar("T")

CONTACTS_PER_HOTLINE = 2000
DAYS = 548  # about 18 months

# Month → relative number of calls: the spring and summer migration season is busiest.
SEASON = {1: 0.65, 2: 0.7, 3: 0.9, 4: 1.1, 5: 1.25, 6: 1.4, 7: 1.45, 8: 1.35, 9: 1.1, 10: 0.9, 11: 0.8, 12: 0.7}
WEEKDAY = [1.0, 1.0, 0.97, 0.95, 0.9, 0.5, 0.4]  # Monday … Sunday
HOURS = [0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 1.0, 3.0, 6.0, 9.0, 9.5, 9.0, 8.5, 9.0, 8.5, 8.0, 6.0, 4.0, 3.0,
         2.0, 1.2, 0.7, 0.4]
MEDIAN_LOG_SECONDS: dict[str, float] = {Channel.PHONE: 5.7, Channel.WALK_IN: 7.0}  # e^5.7 s ≈ 5 minutes
EVACUATION_WAVES = 3  # bumps of a few weeks at random dates of the period

CHANNELS = {Channel.PHONE: 60, Channel.TELEGRAM: 14, Channel.VIBER: 11, Channel.WHATSAPP: 4, Channel.MESSENGER: 3,
            Channel.WEB_CHAT: 4, Channel.EMAIL: 2, Channel.WALK_IN: 2}
CONSULTATIONS_PER_CONTACT = {1: 6, 2: 9, 3: 17, 4: 26, 5: 25, 6: 17}  # mean ≈ 4.1

# Topic code → weight; terms not named here (and an organisation's own) weigh 1.
TOPICS = {"travel-rules": 11, "job-offer-check": 15, "study-abroad": 2, "recruitment-agency": 5,
          "labour-exploitation": 1.2, "sexual-exploitation": 0.5, "forced-begging-crime": 0.2,
          "trafficking-other": 0.3, "missing-person": 1.5, "lost-documents": 3, "legal-status-abroad": 8,
          "idp-registration": 5, "evacuation-routes": 4.5, "shelter": 5, "cash": 6, "in-kind": 3, "medical": 2,
          "gbv": 1.2, "psychosocial": 3, "other": 2.5}
TRAFFICKING = "trafficking"  # the category whose terms a risk-flagged contact always has

# Approximate population of Ukraine's oblasts in thousands (2022), less where much of the oblast is occupied.
OBLAST_POPULATION = {"UA05": 1510, "UA07": 1020, "UA12": 3100, "UA14": 900, "UA18": 1180, "UA21": 1240,
                     "UA23": 1000, "UA26": 1350, "UA32": 1790, "UA35": 900, "UA44": 150, "UA46": 2480,
                     "UA48": 1100, "UA51": 2350, "UA53": 1350, "UA56": 1140, "UA59": 1040, "UA61": 1020,
                     "UA63": 2600, "UA65": 500, "UA68": 1230, "UA71": 1170, "UA73": 890, "UA74": 960, "UA80": 2950}
MOLDOVA_WEIGHTS = {"MD010": 8.0, "MD002": 2.5, "MD035": 0.3}  # Chișinău, Bălți, Transnistria; others 1
ABROAD = {"PL": 30, "DE": 28, "CZ": 12, "MD": 6, "RO": 5, "SK": 4, "IT": 4, "ES": 3, "GB": 3, "NL": 2, "LT": 2,
          "AT": 2, "FR": 2, "TR": 2, "PT": 1, "IE": 1, "US": 1}
MOBILE_CODES = ("50", "66", "95", "99", "67", "68", "96", "97", "98", "63", "73", "93")

REFERRALS = {
    "safe-migration": ["Консульство України в країні призначення", "Державний центр зайнятості",
                       "Безоплатна правнича допомога (0 800 213 103)"],
    "trafficking": ["Національна поліція (102)", "Центр соціальних служб", "Кейс-менеджмент організації"],
    "missing-person": ["Національна поліція (102)", "Служба розшуку Червоного Хреста"],
    "documents": ["ЦНАП за місцем перебування", "Безоплатна правнича допомога (0 800 213 103)",
                  "Міграційна служба країни перебування"],
    "evacuation": ["Евакуаційний штаб області", "Транзитний центр для ВПО"],
    "humanitarian": ["Управління соціального захисту", "Гуманітарний хаб громади", "Сімейний лікар"],
    "gbv": ["Гаряча лінія з протидії насильству (1547)", "Мобільна бригада соціально-психологічної допомоги"],
    "psychosocial": ["Психологічна підтримка (лінія 7333)", "Мобільна бригада соціально-психологічної допомоги"],
    "other": ["Центр надання адміністративних послуг"],
}
RISK_NOTES = [
    "Пропонують роботу за кордоном без договору, просять оплатити «оформлення».",
    "Роботодавець утримує паспорт і не виплачує заробітну плату.",
    "Рідні не мають зв’язку після виїзду на сезонну роботу.",
    "Вимагають відпрацювати «борг» за дорогу та житло.",
]
NOTES = [
    "Питання щодо тимчасового захисту в країні перебування.",
    "Потрібна інформація про евакуацію з прифронтової громади.",
    "Уточнення умов вакансії; порадили перевірити агентство.",
]
ESCALATION_REASONS = [
    "Ознаки трудової експлуатації: утримання документів, борг.",
    "Ймовірне вербування: роботодавець оплачує дорогу, договору немає.",
    "Ознаки сексуальної експлуатації, потрібна оцінка кейс-менеджера.",
]
QUEUED_CALLBACKS = 6  # per organisation, half of them overdue
CALLBACK_NOTES = ["", "Передзвонити після 14:00", "Уточнити результат перевірки вакансії"]
OWN_TERMS = {  # the demo organisations' own terms, under a standard category
    "UA": [("evacuation", "evacuation-frontline", "Evacuation from frontline communities",
            "Евакуація з прифронтових громад"),
           ("humanitarian", "winter-support", "Winter support", "Зимова підтримка")],
    "MD": [("documents", "moldova-stay", "Entry and stay in Moldova", "В’їзд і перебування в Молдові")],
}


def contacts_per_hotline() -> int:
    return int(getattr(settings, "DEMO_HOTLINE_CONTACTS", CONTACTS_PER_HOTLINE))


def generate(context: DemoContext) -> None:
    """The varta.core.demo generator: traffic for the new demo organisations that have hotline operators."""
    operators: dict[int, list[Membership]] = {}
    admins: dict[int, Membership] = {}
    new = {o.pk for o in context.new_organisations}
    for m in context.memberships:
        if m.organisation_id in new and m.role == Role.HOTLINE_OPERATOR:
            operators.setdefault(m.organisation_id, []).append(m)
        if m.organisation_id in new and m.role == Role.ORG_ADMIN:
            admins[m.organisation_id] = m
    if not operators:
        return
    places = Places.load()
    now = timezone.now()
    for organisation in context.new_organisations:
        if organisation.pk not in operators:
            continue
        admin = admins.get(organisation.pk)
        if admin is not None:
            _own_terms(context, admin)
        rng = random.Random(f"{context.seed}:hotline:{organisation.name}")
        Traffic(context=context, organisation=organisation, operators=[m.user for m in operators[organisation.pk]],
                places=places, rng=rng, now=now).generate(contacts_per_hotline())


def _own_terms(context: DemoContext, admin: Membership) -> None:
    categories = {t.code: t for t in Topic.objects.filter(organisation__isnull=True, parent__isnull=True)}
    for parent, code, name_en, name_uk in OWN_TERMS.get(admin.organisation.country_id, []):
        if parent in categories:
            actions.topic_create(actor=context.actor, membership=admin, parent=categories[parent], code=code,
                                 name_en=name_en, name_uk=name_uk)


def _pick(rng: random.Random, weights: Mapping[T, float]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass
class Places:
    """The loaded places the demo draws from, with parents loaded (the oblast of a place costs no query)."""

    oblasts: list[AdminUnit]
    oblast_weights: list[float]
    hromadas: dict[str, list[AdminUnit]]  # oblast P-code → its hromadas
    moldova: list[AdminUnit]
    moldova_weights: list[float]
    countries: dict[str, Country]

    @classmethod
    def load(cls) -> Places:
        oblasts = list(AdminUnit.objects.filter(pcode__in=OBLAST_POPULATION, level=1).order_by("pcode"))
        hromadas: dict[str, list[AdminUnit]] = {}
        for unit in (AdminUnit.objects.filter(country_iso3="UKR", level=3).select_related("parent__parent")
                     .order_by("pcode")):
            oblast = actions.oblast_of(unit)
            if oblast is not None:
                hromadas.setdefault(oblast.pcode, []).append(unit)
        moldova = list(AdminUnit.objects.filter(country_iso3="MDA", level=1).order_by("pcode"))
        return cls(oblasts=oblasts, oblast_weights=[OBLAST_POPULATION[o.pcode] for o in oblasts], hromadas=hromadas,
                   moldova=moldova, moldova_weights=[MOLDOVA_WEIGHTS.get(u.pcode, 1.0) for u in moldova],
                   countries={c.iso2: c for c in Country.objects.filter(iso2__in=ABROAD)})

    def in_ukraine(self, rng: random.Random) -> AdminUnit | None:
        if not self.oblasts:
            return None
        oblast = rng.choices(self.oblasts, weights=self.oblast_weights)[0]
        hromadas = self.hromadas.get(oblast.pcode)
        return rng.choice(hromadas) if hromadas and rng.random() < 0.7 else oblast

    def in_moldova(self, rng: random.Random) -> AdminUnit | None:
        return rng.choices(self.moldova, weights=self.moldova_weights)[0] if self.moldova else None

    def abroad(self, rng: random.Random, *, home: str) -> Country | None:
        weights = {c: w for c, w in ABROAD.items() if c in self.countries and c != home}
        return self.countries[_pick(rng, weights)] if weights else None


class Traffic:
    """One organisation's hotline traffic."""

    def __init__(self, *, context: DemoContext, organisation: Organisation, operators: Sequence[User],
                 places: Places, rng: random.Random, now: datetime) -> None:
        self.context = context
        self.organisation = organisation
        self.operators = list(operators)
        self.places = places
        self.rng = rng
        self.now = now
        self.moldovan = organisation.country_id == "MD"
        self.fake = Faker("uk_UA")
        self.fake.seed_instance(rng.randrange(2**32))
        choices = selectors.topic_choices(organisation.pk)
        self.topics = choices
        self.topic_weights = [TOPICS.get(t.code, 1.0) for t in choices]
        self.trafficking = [t for t in choices if t.parent is not None and t.parent.code == TRAFFICKING]
        self.category_code = {t.pk: (t.parent.code if t.parent is not None else t.code) for t in choices}

    # --- when ------------------------------------------------------------------------------------------------

    def start_times(self, count: int) -> list[datetime]:
        tz = timezone.get_default_timezone()
        today = timezone.localdate(self.now)
        days = [today - timedelta(days=n) for n in range(DAYS)]
        waves = [self.rng.randrange(10, DAYS - 10) for _ in range(EVACUATION_WAVES)]

        def weight(n: int, day: date) -> float:
            wave = sum(1.2 * math.exp(-(((n - w) / 9) ** 2)) for w in waves)
            return SEASON[day.month] * WEEKDAY[day.weekday()] * (1 + wave)

        chosen = self.rng.choices(days, weights=[weight(n, d) for n, d in enumerate(days)], k=count)
        hours = self.rng.choices(range(24), weights=HOURS, k=count)
        times = []
        for day, hour in zip(chosen, hours, strict=True):
            moment = datetime(day.year, day.month, day.day, hour, self.rng.randrange(60), self.rng.randrange(60),
                              tzinfo=tz)
            if moment > self.now - timedelta(minutes=5):
                moment = self.now - timedelta(minutes=self.rng.randint(5, 600))
            times.append(moment)
        return sorted(times)

    # --- who and what ----------------------------------------------------------------------------------------

    def _duration(self, channel: str) -> int | None:
        if channel == Channel.EMAIL:
            return None
        mu = MEDIAN_LOG_SECONDS.get(channel, 6.5)  # chats take longer than calls
        return max(30, min(int(self.rng.lognormvariate(mu, 0.55)), 5400))

    def _place(self, data: ContactInput) -> None:
        roll = self.rng.random()
        if self.moldovan:
            if roll < 0.55:
                data.location = self.places.in_moldova(self.rng)
            elif roll < 0.8:
                data.location = self.places.in_ukraine(self.rng)
            elif roll < 0.95:
                data.country = self.places.abroad(self.rng, home="MD")
        elif roll < 0.82:
            data.location = self.places.in_ukraine(self.rng)
        elif roll < 0.97:
            data.country = self.places.abroad(self.rng, home="UA")
        abroad = data.country is not None or (data.location is not None and data.location.country_iso3 != "UKR")
        data.displacement = _pick(self.rng, {
            Displacement.REFUGEE_ABROAD: 70, Displacement.TCN: 5, Displacement.HOST_COMMUNITY: 12,
            Displacement.UNKNOWN: 13} if abroad else {
            Displacement.IDP: 40, Displacement.HOST_COMMUNITY: 35, Displacement.RETURNEE: 12, Displacement.TCN: 2,
            Displacement.UNKNOWN: 11})

    def _consultations(self, risk: bool, count: int) -> list[ConsultationInput]:
        picked: list[Topic] = []
        if risk and self.trafficking:
            picked.append(self.rng.choice(self.trafficking))
        for _attempt in range(count * 4):
            if len(picked) >= count:
                break
            topic = self.rng.choices(self.topics, weights=self.topic_weights)[0]
            if topic not in picked:
                picked.append(topic)
        items = []
        for topic in picked:
            category = self.category_code[topic.pk]
            if category == TRAFFICKING:
                outcome = _pick(self.rng, {Outcome.REFERRED: 45, Outcome.CASE_OPENED: 20, Outcome.INFORMATION: 20,
                                           Outcome.FOLLOW_UP: 15})
            else:
                outcome = _pick(self.rng, {Outcome.INFORMATION: 72, Outcome.REFERRED: 18, Outcome.FOLLOW_UP: 8,
                                           Outcome.CASE_OPENED: 2})
            referrals = ""
            if outcome in (Outcome.REFERRED, Outcome.CASE_OPENED):
                referrals = self.rng.choice(REFERRALS.get(category, REFERRALS["other"]))
            items.append(ConsultationInput(topic=topic, outcome=outcome, referrals=referrals))
        return items

    def _phone(self) -> str:
        return f"+380{self.rng.choice(MOBILE_CODES)}{self.rng.randrange(10**7):07d}"

    def contact_input(self, started_at: datetime) -> ContactInput:
        rng = self.rng
        channel = _pick(rng, CHANNELS)
        language = _pick(rng, {"ro": 45, "ru": 35, "uk": 20} if self.moldovan else {"uk": 82, "ru": 14, "en": 4})
        data = ContactInput(
            channel=channel, started_at=started_at, duration_seconds=self._duration(channel),
            direction=Direction.OUTGOING if rng.random() < 0.03 else Direction.INCOMING, language=language,
            caller_type=_pick(rng, {CallerType.PERSON_CONCERNED: 62, CallerType.RELATIVE: 16, CallerType.FRIEND: 5,
                                    CallerType.PROFESSIONAL: 7, CallerType.ANONYMOUS: 10}),
            sex=_pick(rng, {Gender.FEMININE: 66, Gender.MASCULINE: 29, Gender.UNKNOWN: 5}),
            age_group=_pick(rng, {AgeGroup.UNDER_18: 3, AgeGroup.AGE_18_24: 14, AgeGroup.AGE_25_34: 27,
                                  AgeGroup.AGE_35_49: 31, AgeGroup.AGE_50_64: 15, AgeGroup.AGE_65_PLUS: 4,
                                  AgeGroup.UNKNOWN: 6}),
        )
        self._place(data)
        risk = rng.random() < 0.03
        if risk:
            data.methods_of_control = rng.sample(list(MethodOfControl.values), rng.randint(1, 3))
            data.exploitation_types = rng.sample(
                [TypeOfExploitation.FORCED_LABOUR, TypeOfExploitation.SEXUAL_EXPLOITATION,
                 TypeOfExploitation.FORCED_BEGGING, TypeOfExploitation.SERVITUDE, TypeOfExploitation.OTHER],
                rng.randint(1, 2))
            data.risk_flag = True
            data.summary = rng.choice(RISK_NOTES)
        elif rng.random() < 0.03:
            data.summary = rng.choice(NOTES)
        data.consultations = self._consultations(
            risk, rng.choices(list(CONSULTATIONS_PER_CONTACT), weights=list(CONSULTATIONS_PER_CONTACT.values()))[0])
        if rng.random() < (0.35 if risk else 0.08) and data.caller_type != CallerType.ANONYMOUS:
            data.callback_consent = True
            female = data.sex == Gender.FEMININE or (data.sex == Gender.UNKNOWN and rng.random() < 0.5)
            data.caller_name = self.fake.first_name_female() if female else self.fake.first_name_male()
            if rng.random() < 0.5:
                data.caller_name += " " + (self.fake.last_name_female() if female else self.fake.last_name_male())
            data.caller_phone = self._phone()
        return validate_contact(data, organisation_id=self.organisation.pk, now=self.now)

    def follow_up_input(self, first: ContactInput, started_at: datetime) -> ContactInput:
        """The call-back itself: the same caller, one or two of the first call's topics."""
        data = ContactInput(
            channel=Channel.PHONE, started_at=started_at, duration_seconds=self._duration(Channel.PHONE),
            direction=Direction.CALLBACK, language=first.language, caller_type=first.caller_type, sex=first.sex,
            age_group=first.age_group, displacement=first.displacement, location=first.location,
            country=first.country,
            consultations=[ConsultationInput(topic=c.topic, outcome=Outcome.INFORMATION)
                           for c in first.consultations[:self.rng.randint(1, 2)]])
        return validate_contact(data, organisation_id=self.organisation.pk, now=self.now)

    # --- writing ---------------------------------------------------------------------------------------------

    def _insert(self, inputs: list[ContactInput], *, follows: list[Contact | None] | None = None) -> list[Contact]:
        org_id = self.organisation.pk
        contacts = [Contact(organisation_id=org_id, operator=self.rng.choice(self.operators),
                            follows=follows[n] if follows else None, **contact_fields(data))
                    for n, data in enumerate(inputs)]
        actor = self.context.actor
        contacts = writes.bulk_create(contacts, actor=actor, action="hotline.contact.demo_create")
        consultations: list[Consultation] = [
            consultation_row(contact, item, position)
            for contact, data in zip(contacts, inputs, strict=True)
            for position, item in enumerate(data.consultations, start=1)]
        writes.bulk_create(consultations, actor=actor, action="hotline.consultation.demo_create")
        rollups.add(contacts, consultations)  # after the audited writes, under the audit chain lock
        return contacts

    def generate(self, count: int) -> list[Contact]:
        inputs = [self.contact_input(moment) for moment in self.start_times(count)]
        contacts = self._insert(inputs)
        self._callbacks(contacts, inputs)
        self._escalations(contacts)
        return contacts

    def _callbacks(self, contacts: list[Contact], inputs: list[ContactInput]) -> None:
        """Call-backs of consenting callers: the latest wait in the queue (some overdue), older ones are done."""
        rng = self.rng
        consenting = [(c, d) for c, d in zip(contacts, inputs, strict=True) if c.callback_consent]
        queue, history = consenting[-QUEUED_CALLBACKS:], consenting[:-QUEUED_CALLBACKS]
        callbacks: list[Callback] = []
        done: list[tuple[Callback, Contact, ContactInput]] = []
        for contact, data in history:
            if contact.started_at > self.now - timedelta(days=2):
                continue
            callback = Callback(organisation_id=self.organisation.pk, contact=contact,
                                due_at=contact.started_at + timedelta(hours=rng.uniform(2, 30)),
                                assigned_to=rng.choice(self.operators))
            roll = rng.random()
            if roll < 0.8:
                callback.status = CallbackStatus.DONE
                done.append((callback, contact, data))
            elif roll < 0.9:
                callback.status = CallbackStatus.CANCELLED
            else:
                continue  # never scheduled
            callbacks.append(callback)
        for n, (contact, _data) in enumerate(queue):
            hours = rng.uniform(1, 48)
            due_at = self.now - timedelta(hours=hours) if n % 2 else self.now + timedelta(hours=hours)
            callbacks.append(Callback(organisation_id=self.organisation.pk, contact=contact, due_at=due_at,
                                      assigned_to=rng.choice(self.operators), note=rng.choice(CALLBACK_NOTES)))
        if done:
            follow_ups = self._insert(
                [self.follow_up_input(data, callback.due_at + timedelta(minutes=rng.randint(0, 90)))
                 for callback, _contact, data in done],
                follows=[contact for _callback, contact, _data in done])
            for (callback, _contact, _data), result in zip(done, follow_ups, strict=True):
                callback.result = result
        writes.bulk_create(callbacks, actor=self.context.actor, action="hotline.callback.demo_create")

    def _escalations(self, contacts: list[Contact]) -> None:
        flagged = [c for c in contacts if c.risk_flag and c.direction == Direction.INCOMING][-4:]
        escalations = [Escalation(organisation_id=self.organisation.pk, contact=c,
                                  escalated_by=c.operator or self.operators[0],
                                  reason=self.rng.choice(ESCALATION_REASONS), status=EscalationStatus.PENDING)
                       for c in flagged]
        writes.bulk_create(escalations, actor=self.context.actor, action="hotline.escalation.demo_create")
