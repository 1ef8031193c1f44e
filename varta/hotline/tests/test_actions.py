from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.audit.writes import Actor
from varta.hotline import actions
from varta.hotline.actions import ConsultationInput
from varta.hotline.models import Consultation, Contact, Escalation, Topic
from varta.orgs.models import Membership


def operator_of(org: Any) -> tuple[Membership, Actor]:
    membership = org.membership(Role.HOTLINE_OPERATOR)
    return membership, Actor(user=membership.user, organisation=membership.organisation)


def test_it_records_a_contact_with_two_consultations(personas, contact_input, places, topics):
    membership, actor = operator_of(personas.a)
    contact = actions.contact_create(actor=actor, membership=membership, data=contact_input())
    assert contact.operator == membership.user
    assert contact.oblast == places["oblast"]
    consultations = list(contact.consultations.order_by("position"))
    assert [c.topic.code for c in consultations] == ["job-offer-check", "travel-rules"]
    assert consultations[0].category == topics["safe-migration"]
    assert consultations[1].started_at == contact.started_at
    assert AuditEvent.objects.filter(object_type="hotline.consultation").count() == 2


def test_it_keeps_caller_details_only_with_consent(personas, contact_input):
    membership, actor = operator_of(personas.a)
    with pytest.raises(ValidationError) as error:
        actions.contact_create(actor=actor, membership=membership,
                               data=contact_input(caller_phone="+380 67 123 4567"))
    assert "callback_consent" in error.value.message_dict
    contact = actions.contact_create(actor=actor, membership=membership,
                                     data=contact_input(callback_consent=True, caller_phone="067 123 45 67",
                                                        caller_name="Олена"))
    contact.refresh_from_db()
    assert contact.caller_phone == "+380671234567"


def test_it_encrypts_caller_details_at_rest(personas, contact_input):
    membership, actor = operator_of(personas.a)
    contact = actions.contact_create(actor=actor, membership=membership,
                                     data=contact_input(callback_consent=True, caller_phone="+380671234567",
                                                        caller_name="Олена Петренко"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT caller_name, caller_phone FROM hotline_contact WHERE id = %s", [contact.pk])
        name, phone = cursor.fetchone()
    assert "Олена" not in name
    assert "380671234567" not in phone
    assert name.startswith("v1.")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("started_at", "future", "future"),
    ("duration_seconds", -1, "between 0 and 24 hours"),
    ("duration_seconds", 24 * 3600 + 1, "between 0 and 24 hours"),
    ("channel", "pigeon", "Unknown value"),
    ("summary", "<script>alert(1)</script>", "HTML"),
    ("caller_phone", "12", "phone"),
])
def test_it_refuses_bad_input_and_writes_nothing(personas, contact_input, field, value, message):
    membership, actor = operator_of(personas.a)
    if value == "future":
        value = timezone.now() + timedelta(hours=1)
    overrides = {field: value}
    if field == "caller_phone":
        overrides["callback_consent"] = True
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        actions.contact_create(actor=actor, membership=membership, data=contact_input(**overrides))
    assert message in " ".join(error.value.message_dict[field])
    assert Contact.objects.count() == 0
    assert Consultation.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_it_refuses_a_retired_topic_or_another_organisations_topic(personas, contact_input, topics):
    membership, actor = operator_of(personas.a)
    admin_b = personas.b.membership(Role.ORG_ADMIN)
    own_b = actions.topic_create(actor=Actor.system(), membership=admin_b, parent=topics["safe-migration"],
                                 code="b-only", name_en="B only", name_uk="Лише Б")
    with pytest.raises(ValidationError):
        actions.contact_create(actor=actor, membership=membership,
                               data=contact_input(consultations=[ConsultationInput(topic=own_b)]))
    admin_a = personas.a.membership(Role.ORG_ADMIN)
    own_a = actions.topic_create(actor=Actor.system(), membership=admin_a, parent=topics["safe-migration"],
                                 code="a-only", name_en="A only", name_uk="Лише А")
    actions.topic_set_retired(actor=Actor.system(), membership=admin_a, topic=own_a, retired=True)
    with pytest.raises(ValidationError):
        actions.contact_create(actor=actor, membership=membership,
                               data=contact_input(consultations=[ConsultationInput(topic=own_a)]))


def test_it_keeps_the_topic_of_old_contacts_when_retired(personas, contact_input, topics):
    membership, actor = operator_of(personas.a)
    admin_a = personas.a.membership(Role.ORG_ADMIN)
    own = actions.topic_create(actor=Actor.system(), membership=admin_a, parent=topics["safe-migration"],
                               code="seasonal", name_en="Seasonal work", name_uk="Сезонна робота")
    contact = actions.contact_create(actor=actor, membership=membership,
                                     data=contact_input(consultations=[ConsultationInput(topic=own)]))
    actions.topic_set_retired(actor=Actor.system(), membership=admin_a, topic=own, retired=True)
    assert contact.consultations.get().topic == own
    assert Topic.objects.get(pk=own.pk).retired_at is not None


def test_it_refuses_contacts_to_roles_that_do_not_take_calls(personas, contact_input):
    membership = personas.a.membership(Role.CASE_WORKER)
    with pytest.raises(PermissionDenied):
        actions.contact_create(actor=Actor.system(), membership=membership, data=contact_input())


def test_it_escalates_without_copying_personal_data(personas, contact_input):
    membership, actor = operator_of(personas.a)
    contact = actions.contact_create(actor=actor, membership=membership, data=contact_input())
    escalation = actions.escalate(actor=actor, membership=membership, contact=contact,
                                  reason="Passport taken by employer")
    assert escalation.status == "pending"
    contact.refresh_from_db()
    assert contact.risk_flag
    with pytest.raises(ValidationError):
        actions.escalate(actor=actor, membership=membership, contact=contact, reason="again")
    assert Escalation.objects.count() == 1


def test_it_completes_a_callback_as_a_linked_contact(personas, contact_input):
    membership, actor = operator_of(personas.a)
    first = actions.contact_create(actor=actor, membership=membership,
                                   data=contact_input(callback_consent=True, caller_phone="+380671234567"))
    callback = actions.callback_schedule(actor=actor, membership=membership, contact=first,
                                         due_at=timezone.now() + timedelta(hours=2), assigned_to=membership.user)
    second = actions.callback_complete(actor=actor, membership=membership, callback=callback,
                                       data=contact_input())
    callback.refresh_from_db()
    assert callback.status == "done"
    assert callback.result == second
    assert second.follows == first
    assert second.direction == "callback"
