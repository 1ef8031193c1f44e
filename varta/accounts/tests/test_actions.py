"""Account actions: password hashing, validation, and the audit of every write."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

from conftest import PASSWORD
from varta.accounts import actions
from varta.accounts.models import User
from varta.accounts.tests.helpers import nothing_written
from varta.audit.guard import UnauditedWriteError
from varta.audit.models import AuditEvent
from varta.audit.writes import Actor


def test_it_hashes_passwords_with_argon2_in_production(db, settings):
    from varta import settings as production

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    user = actions.user_create(actor=Actor.system(), username="argon", full_name="Argon User", password=PASSWORD)
    stored = User.objects.get(pk=user.pk).password
    assert stored.startswith("argon2$argon2id$")
    assert PASSWORD not in stored
    assert check_password(PASSWORD, stored)


def test_it_refuses_a_weak_password_and_writes_nothing(db):
    with nothing_written(User), pytest.raises(ValidationError):
        actions.user_create(actor=Actor.system(), username="weak", full_name="Weak", password="12345678")


def test_it_creates_a_user_without_a_usable_password(db):
    user = actions.user_create(actor=Actor.system(), username="later", full_name="Later", password=None)
    assert not user.has_usable_password()


def test_it_audits_the_creation_without_values(db):
    user = actions.user_create(actor=Actor.system(), username="ana", full_name="Ana Secret", password=PASSWORD)
    event = AuditEvent.objects.get(action="accounts.user.create")
    assert event.object_id == str(user.pk)
    assert "password" in event.changed_fields
    assert "Ana Secret" not in str(event.changed_fields)


def test_it_refuses_to_save_a_user_outside_the_actions(db):
    with pytest.raises(UnauditedWriteError):
        User(username="direct", full_name="Direct").save()
