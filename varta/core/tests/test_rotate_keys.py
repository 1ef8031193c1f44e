"""``varta rotate-keys``: every encrypted value and blind-index token moves to a new key while servers keep running."""

from __future__ import annotations

import base64
import io
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection

from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.cases import blind_index, search
from varta.cases.models import Attachment, CaseNote, Person, PersonToken
from varta.cases.tests.helpers import acting_as
from varta.cases.tests.helpers_rights import ATTACHMENT_TEXTS, CALLER, NOTE_TEXTS, PERSONS, caller_contact, full_case
from varta.core import crypto, keys, rotation
from varta.core.crypto import encrypt, key_id
from varta.hotline.models import Contact

pytestmark = pytest.mark.django_db


def _key() -> bytes:
    return base64.urlsafe_b64decode(keys.new_data_key())


@pytest.fixture
def key_file(settings, tmp_path, monkeypatch) -> Path:
    """A key-file deployment with one key, read as a server reads it at start; servers look at it on every use."""
    path = tmp_path / "data.key"
    keys.write_private(path, keys.encode_key(_key()) + "\n")
    settings.DATA_KEY_FILE = path
    settings.DATA_KEYS_FROM_ENV = False
    settings.DATA_KEYS = keys.load_data_keys(env_value="", key_file=path, may_create=False)
    monkeypatch.setattr(crypto, "KEY_FILE_CHECK_SECONDS", 0.0)
    return path


@pytest.fixture
def data(key_file, personas):
    """Two persons with full cases and a hotline caller, all encrypted under the first key."""
    return {"cases": [full_case(personas.a, 0), full_case(personas.a, 1)], "contact": caller_contact(personas.a)}


def _rotate(*args: str) -> str:
    out = io.StringIO()
    call_command("rotate_keys", *args, stdout=out)
    return out.getvalue()


def _census() -> dict[str, set[str]]:
    return {label: set(counts) for label, counts in rotation.key_census().items() if counts}


def test_it_finds_every_encrypted_column():
    found = {t.label: [f.name for f in t.fields] for t in rotation.encrypted_tables()}
    assert found["cases.person"] == list(Person.PERSONAL_FIELDS)
    assert found["hotline.contact"] == ["caller_name", "caller_phone", "summary"]
    assert found["cases.attachment"] == ["file_name", "content"]
    assert {"accounts.totpdevice", "cases.casenote", "cases.need", "cases.planitem"} <= set(found)


def test_it_reencrypts_everything_under_a_new_key(data, key_file):
    old = django_settings.DATA_KEYS[0]
    output = _rotate()
    new = django_settings.DATA_KEYS[0]
    assert new != old
    assert [new, old] == django_settings.DATA_KEYS
    lines = key_file.read_text().splitlines()
    assert lines == [keys.encode_key(new), keys.encode_key(old)]
    if os.name == "posix":
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    census = _census()
    assert census
    assert all(kids == {key_id(new)} for kids in census.values()), census
    assert "cases.person" in output
    assert "values re-encrypted" in output
    assert "BACK UP THE KEY FILE NOW" in output
    # Everything reads back as it was.
    person = Person.objects.get(pk=data["cases"][0].person_id)
    assert (person.given_name, person.phone, person.id_document_number) == (
        PERSONS[0]["given_name"], PERSONS[0]["phone"], PERSONS[0]["id_document_number"])
    assert CaseNote.objects.get(case=data["cases"][1]).text == NOTE_TEXTS[1]
    assert ATTACHMENT_TEXTS[0].encode() in Attachment.objects.get(case=data["cases"][0]).content
    assert Contact.objects.get(pk=data["contact"].pk).caller_name == CALLER["caller_name"]
    # One audit event, with no key material.
    event = AuditEvent.objects.get(action="keys.rotate")
    assert event.object_id == key_id(new)
    assert event.actor_id is None
    assert {"cases.person", "hotline.contact", "cases.persontoken", "keyring.new_key"} <= set(event.changed_fields)
    assert keys.encode_key(new) not in str(event.changed_fields) + event.object_id


def test_it_rewrites_the_search_tokens_under_the_new_key(data, personas, settings):
    _rotate("--retire-old")
    new = settings.DATA_KEYS[0]
    assert [new] == settings.DATA_KEYS
    assert set(PersonToken.objects.values_list("key_id", flat=True)) == {key_id(new)}
    membership, _actor = acting_as(personas.a, Role.CASE_WORKER)
    for names, wanted in ((["Yaroslava", "Gudz-Kvitchastenko"], data["cases"][0].person_id),  # Latin for Cyrillic
                          (["Зоряна", "Прокопчук"], data["cases"][1].person_id)):  # Cyrillic for Latin
        found = search.find_persons(membership, names=names)
        assert wanted in [m.person_id for m in found], names


def test_it_lets_a_server_started_before_the_rotation_read_new_values(data, key_file, settings, monkeypatch):
    signature_at_start = keys._read_signatures[str(key_file)]
    old_keyring = list(settings.DATA_KEYS)
    _rotate()
    new = settings.DATA_KEYS[0]
    # A second process that read the key file before the rotation: only the old key, and the file as it was then.
    settings.DATA_KEYS = old_keyring
    monkeypatch.setitem(keys._read_signatures, str(key_file), signature_at_start)
    crypto._keyring.cache_clear()
    blind_index._index_keys.cache_clear()
    monkeypatch.setattr(crypto, "KEY_FILE_CHECK_SECONDS", 3600.0)
    monkeypatch.setattr(crypto, "_next_check", float("inf"))  # no periodic look: only the unknown key id reloads
    person = Person.objects.get(pk=data["cases"][0].person_id)  # a value under a key id it has never seen
    assert person.family_name == PERSONS[0]["family_name"]
    assert settings.DATA_KEYS[0] == new
    assert encrypt("new value").split(".")[1] == key_id(new)


def test_it_lets_a_running_server_encrypt_new_values_under_the_new_key(key_file, settings):
    old = settings.DATA_KEYS[0]
    new = _key()
    keys.prepend_key(key_file, new)
    assert [old] == settings.DATA_KEYS
    assert encrypt("written after the rotation began").split(".")[1] == key_id(new)  # looked at the file: changed
    assert [new, old] == settings.DATA_KEYS


def test_it_keeps_the_keys_in_memory_when_the_key_file_did_not_change(key_file, settings):
    settings.DATA_KEYS = [_key()]  # e.g. a test that configures another keyring: the file must not override it
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(crypto.encrypt("x").replace(key_id(settings.DATA_KEYS[0]), "00000000"))
    assert len(settings.DATA_KEYS) == 1


def test_it_refuses_to_retire_old_keys_while_values_still_name_them(data, key_file, settings, monkeypatch):
    old = settings.DATA_KEYS[0]
    one_pass = rotation.one_pass
    monkeypatch.setattr(rotation, "one_pass", lambda **kwargs: rotation.PassResult())  # a rotation that got nowhere
    with pytest.raises(CommandError, match="Old keys not retired: values still name them") as error:
        _rotate("--retire-old")
    assert "cases.person" in str(error.value)
    assert keys.encode_key(old) in key_file.read_text()  # the old key is still there
    assert Person.objects.get(pk=data["cases"][0].person_id).given_name == PERSONS[0]["given_name"]
    monkeypatch.setattr(rotation, "one_pass", one_pass)
    output = _rotate("--no-new-key", "--retire-old")
    assert "Retired 1 older keys" in output
    assert keys.encode_key(old) not in key_file.read_text()
    assert Person.objects.get(pk=data["cases"][0].person_id).given_name == PERSONS[0]["given_name"]
    assert AuditEvent.objects.filter(action="keys.rotate").count() == 2


def test_it_reports_values_no_key_can_read_and_keeps_the_old_keys(data, key_file, settings):
    foreign = AESGCM(_key())
    nonce = b"\x00" * 12
    stray = f"v1.0badc0de.{base64.urlsafe_b64encode(nonce + foreign.encrypt(nonce, b'lost', None)).decode()}"
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_person SET address = %s WHERE id = %s", [stray, data["cases"][1].person_id])
    with pytest.raises(CommandError, match="1 values could not be decrypted"):
        _rotate("--retire-old")
    assert len(key_file.read_text().split()) == 2  # nothing retired
    assert Person.objects.filter(pk=data["cases"][0].person_id).get().given_name == PERSONS[0]["given_name"]


def test_it_only_reencrypts_when_the_keys_come_from_the_environment(data, key_file, settings):
    before = key_file.read_text()
    old = settings.DATA_KEYS[0]
    new = _key()
    settings.DATA_KEYS_FROM_ENV = True
    settings.DATA_KEYS = [new, old]  # the operator put the new key first and restarted
    output = _rotate("--retire-old")
    assert "VARTA_DATA_KEYS" in output
    assert "remove them from VARTA_DATA_KEYS" in output
    assert key_file.read_text() == before
    assert all(kids == {key_id(new)} for kids in _census().values())
    assert Person.objects.get(pk=data["cases"][1].person_id).email == PERSONS[1]["email"]


def test_it_counts_values_per_key_without_changing_anything(data, settings):
    output = _rotate("--check")
    assert f"{key_id(settings.DATA_KEYS[0])} (active)" in output
    assert "cases.person" in output
    assert not AuditEvent.objects.filter(action="keys.rotate").exists()


def test_it_leaves_a_value_changed_meanwhile_alone(data):
    table = next(t for t in rotation.encrypted_tables() if t.label == "cases.person")
    person_id = data["cases"][0].person_id
    written = rotation._write(table, [(person_id, [(table.fields[0], "v1.stale.value", "v1.new.value")])])
    assert written == 0
    assert Person.objects.get(pk=person_id).given_name == PERSONS[0]["given_name"]


def test_it_makes_a_last_pass_after_running_servers_have_seen_the_new_key(data, monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(crypto, "KEY_FILE_CHECK_SECONDS", 5.0)
    monkeypatch.setattr("varta.core.management.commands.rotate_keys.time.sleep", slept.append)
    output = _rotate()
    assert len(slept) == 1
    assert 0 < slept[0] <= 10
    assert "Waiting" in output
    assert "Pass 3: 0 values" in output
    assert "Pass 4" not in output
