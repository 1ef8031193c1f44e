"""Demo hotline traffic (varta/hotline/demo.py), generated at a tiny scale through the demo task force."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

import phonenumbers
import pytest
from django.utils import timezone

from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.core import demo
from varta.geo.models import AdminUnit
from varta.hotline import demo as hotline_demo
from varta.hotline.actions import oblast_of, validate_contact
from varta.hotline.models import (
    Callback,
    CallbackStatus,
    Consultation,
    Contact,
    ContactDay,
    Direction,
    Escalation,
    Topic,
)
from varta.hotline.serializers import contact_as_input
from varta.hotline.tests.test_stats_rollups import assert_rollups_exact
from varta.orgs.models import Membership, Organisation

PER_HOTLINE = 300

GEO = [("UA80", 1, None, "Kyiv", "Київ"), ("UA46", 1, None, "Lvivska", "Львівська"),
       ("UA12", 1, None, "Dnipropetrovska", "Дніпропетровська"), ("UA21", 1, None, "Zakarpatska", "Закарпатська"),
       ("UA2110", 2, "UA21", "Uzhhorodskyi", "Ужгородський"), ("UA2110023", 3, "UA2110", "Uzhhorodska", "Ужгородська"),
       ("UA4606", 2, "UA46", "Lvivskyi", "Львівський"), ("UA4606025", 3, "UA4606", "Lvivska", "Львівська"),
       ("UA8000", 2, "UA80", "Kyiv", "Київ"), ("UA8000000", 3, "UA8000", "Kyiv", "Київ"),
       ("MD010", 1, None, "Chisinau", ""), ("MD002", 1, None, "Balti", "")]


@pytest.fixture
def geography(db, monkeypatch):
    """A few oblasts, raions and hromadas instead of the whole geography."""

    def ensure_loaded():
        for pcode, level, parent, en, uk in GEO:
            AdminUnit.objects.get_or_create(pcode=pcode, defaults={
                "country_iso3": "MDA" if pcode.startswith("MD") else "UKR", "level": level, "parent_id": parent,
                "name_en": en, "name_uk": uk, "search_en": en.lower(), "search_uk": uk.lower()})

    monkeypatch.setattr("varta.geo.loader.ensure_loaded", ensure_loaded)


@pytest.fixture
def timed(monkeypatch):
    """Run the demo with the hotline generator timed."""
    seconds: list[float] = []
    generate = hotline_demo.generate

    def timed_generate(context):
        start = time.perf_counter()
        generate(context)
        seconds.append(time.perf_counter() - start)

    monkeypatch.setattr(hotline_demo, "generate", timed_generate)
    return seconds


@pytest.fixture
def traffic(geography, settings, timed):
    settings.DEMO_HOTLINE_CONTACTS = PER_HOTLINE
    demo.create_demo_task_force()
    return timed


def hotline_orgs() -> set[int]:
    return set(Membership.objects.filter(role=Role.HOTLINE_OPERATOR).values_list("organisation_id", flat=True))


def test_it_generates_traffic_only_for_organisations_with_a_hotline(traffic):
    per_org = Counter(Contact.objects.filter(direction__in=[Direction.INCOMING, Direction.OUTGOING])
                      .values_list("organisation_id", flat=True))

    assert set(per_org) == hotline_orgs()
    assert set(per_org.values()) == {PER_HOTLINE}
    assert {o.acronym for o in Organisation.objects.filter(pk__in=per_org)} == {"IASM", "LOH", "CBF", "ODD"}


def test_it_keeps_about_four_consultations_per_contact(traffic):
    first_calls = Contact.objects.exclude(direction=Direction.CALLBACK)
    ratio = Consultation.objects.filter(contact__in=first_calls).count() / first_calls.count()
    per_contact = Counter(Counter(Consultation.objects.values_list("contact_id", flat=True)).values())

    assert 3.7 <= ratio <= 4.5
    assert set(per_contact) == {1, 2, 3, 4, 5, 6}


def test_it_has_seasons_weekdays_and_office_hours(traffic):
    moments = [timezone.localtime(t) for t in Contact.objects.values_list("started_at", flat=True)]
    today = timezone.localdate()
    window = [today - timedelta(days=n) for n in range(hotline_demo.DAYS)]

    def per_day(test) -> float:
        days = sum(1 for d in window if test(d))
        return sum(1 for m in moments if test(m.date())) / days

    assert per_day(lambda d: d.month == 7) > 1.4 * per_day(lambda d: d.month == 1)
    assert per_day(lambda d: d.weekday() < 5) > 1.5 * per_day(lambda d: d.weekday() >= 5)
    daytime = sum(1 for m in moments if 9 <= m.hour < 18)
    assert daytime / len(moments) > 0.6
    assert min(moments) >= timezone.localtime() - timedelta(days=hotline_demo.DAYS + 1)
    assert max(moments) <= timezone.localtime()


def test_it_mixes_channels_topics_and_places(traffic):
    contacts = Contact.objects.exclude(direction=Direction.CALLBACK)
    total = contacts.count()
    channels = Counter(contacts.values_list("channel", flat=True))
    assert 0.5 <= channels["phone"] / total <= 0.7
    assert 0.17 <= (channels["telegram"] + channels["viber"]) / total <= 0.33
    topics = Counter(Consultation.objects.values_list("topic__code", flat=True))
    assert {code for code, _n in topics.most_common(2)} == {"job-offer-check", "travel-rules"}
    oblasts = Counter(contacts.exclude(oblast=None).values_list("oblast_id", flat=True))
    assert oblasts["UA80"] > oblasts["UA21"]  # by population
    assert {"MD010", "UA2110023"} <= set(contacts.values_list("location_id", flat=True))
    abroad = set(contacts.exclude(country=None).values_list("country_id", flat=True))
    assert {"PL", "DE"} <= abroad
    assert Topic.objects.filter(organisation__isnull=False, code="evacuation-frontline").exists()


def test_it_flags_a_few_contacts_with_indicators(traffic):
    contacts = Contact.objects.exclude(direction=Direction.CALLBACK)
    flagged = contacts.filter(risk_flag=True)

    assert 0.01 <= flagged.count() / contacts.count() <= 0.06
    for contact in flagged:
        assert contact.methods_of_control or contact.exploitation_types
        assert contact.consultations.filter(category__code="trafficking").exists()
    assert not contacts.filter(risk_flag=False).exclude(methods_of_control=[]).exists()


def test_it_makes_every_contact_valid_and_fills_the_denormalised_fields(traffic):
    now = timezone.now()
    contacts = (Contact.objects.select_related("location__parent__parent", "country")
                .prefetch_related("consultations__topic"))
    for contact in contacts:
        validate_contact(contact_as_input(contact), organisation_id=contact.organisation_id, now=now)
        oblast = oblast_of(contact.location)
        assert contact.oblast_id == (oblast.pk if oblast else None)
        consultations = list(contact.consultations.all())
        assert [c.position for c in consultations] == list(range(1, len(consultations) + 1))
        for c in consultations:
            assert c.category_id == (c.topic.parent_id or c.topic_id)
            assert c.started_at == contact.started_at
            assert c.organisation_id == contact.organisation_id
        assert contact.operator is not None
        assert contact.operator.memberships.filter(organisation_id=contact.organisation_id,
                                                   role=Role.HOTLINE_OPERATOR).exists()


def test_it_records_caller_details_only_with_consent(traffic):
    assert not [c for c in Contact.objects.filter(callback_consent=False) if c.caller_name or c.caller_phone]
    consenting = list(Contact.objects.filter(callback_consent=True))
    assert consenting
    for contact in consenting:
        assert contact.caller_phone.startswith("+380")
        assert phonenumbers.is_valid_number(phonenumbers.parse(contact.caller_phone))
        assert contact.caller_name


def test_it_leaves_callbacks_due_overdue_and_done(traffic):
    now = timezone.now()
    scheduled = Callback.objects.filter(status=CallbackStatus.SCHEDULED)
    assert scheduled.filter(due_at__lt=now).exists()
    assert scheduled.filter(due_at__gt=now).exists()
    done = list(Callback.objects.filter(status=CallbackStatus.DONE).select_related("result", "contact"))
    assert done
    for callback in done:
        assert callback.result is not None
        assert callback.result.follows_id == callback.contact_id
        assert callback.result.direction == Direction.CALLBACK
        assert callback.result.started_at > callback.contact.started_at
        assert callback.contact.callback_consent
    assert Escalation.objects.filter(status="pending").exists()
    assert not Escalation.objects.filter(contact__risk_flag=False).exists()


def test_it_writes_one_audit_event_per_batch(traffic):
    events = Counter(AuditEvent.objects.filter(action__endswith=".demo_create").values_list("action", flat=True))

    assert events["hotline.contact.demo_create"] == 2 * len(hotline_orgs())  # first calls, then call-backs
    assert events["hotline.consultation.demo_create"] == 2 * len(hotline_orgs())


def test_it_creates_nothing_on_a_second_run(traffic, settings):
    before = (Contact.objects.count(), Consultation.objects.count(), Callback.objects.count(),
              Topic.objects.count(), AuditEvent.objects.count())

    demo.create_demo_task_force()

    assert (Contact.objects.count(), Consultation.objects.count(), Callback.objects.count(),
            Topic.objects.count(), AuditEvent.objects.count()) == before


def test_it_is_fast(traffic):
    contacts = Contact.objects.count()
    seconds = traffic[0]

    print(f"demo hotline traffic: {contacts} contacts in {seconds:.2f} s")
    # quickstart makes about 2,000 contacts per hotline and must stay within 20 s extra: ~2.5 ms a contact.
    assert seconds / contacts < 0.0025


def test_it_works_without_geography(db, monkeypatch, settings):
    monkeypatch.setattr("varta.geo.loader.ensure_loaded", lambda: None)
    settings.DEMO_HOTLINE_CONTACTS = 60

    demo.create_demo_task_force()

    contacts = Contact.objects.all()
    assert contacts.exists()
    assert not contacts.exclude(location=None).exists()
    assert contacts.exclude(country=None).exists()


def test_it_keeps_the_daily_roll_ups_exact(traffic):
    assert ContactDay.objects.exists()
    assert_rollups_exact()  # what the bulk path wrote equals a rebuild from the rows
