"""Field encryption: AES-256-GCM with keys from the keyring in settings (never from the database).

A ciphertext is ``v1.<key id>.<base64(nonce | ciphertext+tag)>``; the key id is the first 8 hex digits of the
SHA-256 of the key, so a value encrypted under an older key of the keyring is still readable after rotation.
``EncryptedTextField`` stores such strings and hands back plain ``str`` to Python code.

Key rotation without downtime (docs/operations.md, "Rotating the data key"): when the keyring comes from the key
file (not from ``VARTA_DATA_KEYS``), a running process looks at the file at most every ``KEY_FILE_CHECK_SECONDS``
and at once when it meets a ciphertext under a key id it does not know; if ``varta rotate-keys`` has replaced the
file, the process adopts the new keyring (``settings.DATA_KEYS``): new values go under the new key and values the
command re-encrypted stay readable.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from varta.core.keys import reread_key_file

PREFIX = "v1"
# How often a running process looks at the key file for a rotation (one stat call; the file is read only if it
# changed). ``varta rotate-keys`` waits twice this long before its last pass.
KEY_FILE_CHECK_SECONDS = 5.0

logger = logging.getLogger(__name__)
_reload_lock = threading.Lock()
_next_check = 0.0


class DecryptionError(Exception):
    """A value could not be decrypted: unknown key id or tampered ciphertext."""


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


@lru_cache(maxsize=4)
def _keyring(keys: tuple[bytes, ...]) -> dict[str, AESGCM]:
    return {key_id(k): AESGCM(k) for k in keys}


def _reloadable() -> bool:
    return not getattr(settings, "DATA_KEYS_FROM_ENV", True)


def reload_keyring(*, force: bool = False) -> bool:
    """Adopt the key file's keyring if the file changed since this process read it; True if the keyring changed.

    Without ``force`` the file is looked at no more than every ``KEY_FILE_CHECK_SECONDS``. Keys from the
    environment are never reloaded (a rotation there is a restart with the new key first).
    """
    global _next_check
    if not _reloadable():
        return False
    with _reload_lock:  # one thread reads the file; the others find the new keyring in settings afterwards
        now = time.monotonic()
        if not force and now < _next_check:
            return False
        _next_check = now + KEY_FILE_CHECK_SECONDS
        try:
            keys = reread_key_file(Path(settings.DATA_KEY_FILE))
        except ImproperlyConfigured as exc:
            logger.error("the changed data-encryption key file is not a keyring; the keys in memory stay in use",
                         extra={"reason": str(exc)})
            return False
        if keys is None or keys == list(settings.DATA_KEYS):
            return False
        settings.DATA_KEYS = keys  # one assignment: other threads see the old keyring or the new, never a mix
        logger.info("data-encryption keyring reloaded from the key file",
                    extra={"active_key_id": key_id(keys[0]), "keys": len(keys)})
        return True


def _keys() -> tuple[bytes, ...]:
    if _next_check <= time.monotonic() and _reloadable():
        reload_keyring()
    return tuple(settings.DATA_KEYS)


def _aead(kid: str) -> AESGCM:
    aead = _keyring(_keys()).get(kid)
    if aead is None and reload_keyring(force=True):  # written under a key this process has not loaded yet
        aead = _keyring(_keys()).get(kid)
    if aead is None:
        raise DecryptionError(f"no key with id {kid} in the keyring")
    return aead


def encrypt(plaintext: str, *, associated_data: bytes = b"") -> str:
    keys = _keys()
    active = keys[0]
    nonce = os.urandom(12)
    sealed = _keyring(keys)[key_id(active)].encrypt(nonce, plaintext.encode("utf-8"), associated_data or None)
    return f"{PREFIX}.{key_id(active)}.{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"


def decrypt(token: str, *, associated_data: bytes = b"") -> str:
    try:
        prefix, kid, body = token.split(".", 2)
    except ValueError as exc:
        raise DecryptionError("not a Varta ciphertext") from exc
    if prefix != PREFIX:
        raise DecryptionError("unknown ciphertext version")
    aead = _aead(kid)
    raw = base64.urlsafe_b64decode(body)
    try:
        return aead.decrypt(raw[:12], raw[12:], associated_data or None).decode("utf-8")
    except InvalidTag as exc:
        raise DecryptionError("ciphertext was altered or the key is wrong") from exc


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A text column that holds ciphertext; Python sees plaintext. Not searchable: use a blind index."""

    description = "Text encrypted at rest with the Varta keyring"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))


def encrypt_bytes(plaintext: bytes) -> bytes:
    """Binary form of ``encrypt``: ``v1`` + key id (8 ASCII hex digits) + nonce + ciphertext and tag."""
    keys = _keys()
    kid = key_id(keys[0])
    nonce = os.urandom(12)
    return PREFIX.encode() + kid.encode() + nonce + _keyring(keys)[kid].encrypt(nonce, plaintext, None)


def decrypt_bytes(sealed: bytes) -> bytes:
    if sealed[:2] != PREFIX.encode():
        raise DecryptionError("not a Varta ciphertext")
    aead = _aead(sealed[2:10].decode("ascii", "replace"))
    try:
        return aead.decrypt(sealed[10:22], sealed[22:], None)
    except InvalidTag as exc:
        raise DecryptionError("ciphertext was altered or the key is wrong") from exc


def ciphertext_key_id(value: str | bytes) -> str:
    """The key id a stored ciphertext names (for key rotation: what is still under an old key)."""
    if isinstance(value, bytes | memoryview):
        return bytes(value[2:10]).decode("ascii", "replace")
    parts = value.split(".", 2)
    return parts[1] if len(parts) == 3 else ""


def active_key_id() -> str:
    return key_id(_keys()[0])


class EncryptedBinaryField(models.BinaryField):  # type: ignore[type-arg]
    """A binary column that holds ciphertext (``encrypt_bytes``); Python sees the plaintext bytes."""

    description = "Bytes encrypted at rest with the Varta keyring"

    def from_db_value(self, value: bytes | memoryview | None, expression: Any, connection: Any) -> bytes | None:
        if value is None:
            return None
        return decrypt_bytes(bytes(value))

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is not None and not prepared:
            value = encrypt_bytes(bytes(value))
        return super().get_db_prep_value(value, connection, prepared)
