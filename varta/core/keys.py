"""Where Varta's secrets live: the Django secret key and the data-encryption keyring.

Both are kept outside the database. On the embedded default they are generated into ``./var/`` on first start
with owner-only permissions; in production they come from the environment (or ``*_FILE`` paths).

The keyring is a text file with one base64 (urlsafe) 256-bit key per line; the first line is the key new data is
encrypted with, later lines are older keys still accepted for decryption (see ``varta rotate-keys`` in
docs/operations.md). A missing keyring for an existing database is fatal: Varta never runs unencrypted and never
silently makes a new key that would orphan the data.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def write_private(path: Path, content: str) -> None:
    """Create ``path`` with mode 0600 (owner-only) and write ``content``; never overwrite."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(content)


def new_data_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def load_or_create_secret_key(path: Path) -> str:
    if not path.exists():
        write_private(path, secrets.token_urlsafe(64) + "\n")
    return path.read_text(encoding="utf-8").strip()


def parse_keyring(text: str, source: str) -> list[bytes]:
    keys: list[bytes] = []
    for line in text.replace(",", "\n").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            key = base64.urlsafe_b64decode(line)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{source}: a key is not valid base64") from exc
        if len(key) != 32:
            raise ImproperlyConfigured(f"{source}: each key must be 32 bytes (256 bits)")
        keys.append(key)
    if not keys:
        raise ImproperlyConfigured(f"{source}: no key found")
    return keys


def load_data_keys(*, env_value: str, key_file: Path, may_create: bool) -> list[bytes]:
    """Return the keyring, newest first.

    ``may_create`` is true only when the database does not exist yet (first start of the embedded default):
    that is the one moment a fresh key cannot orphan encrypted data.
    """
    if env_value:
        return parse_keyring(env_value, "VARTA_DATA_KEYS")
    if not key_file.exists():
        if not may_create:
            raise ImproperlyConfigured(
                f"The data-encryption key file {key_file} is missing, but the database already exists. "
                "Varta refuses to start: without the key the personal data cannot be read, and it will never "
                "run unencrypted. Restore the key file from your key backup (docs/operations.md, "
                "'Key management'), or set VARTA_DATA_KEYS / VARTA_DATA_KEY_FILE."
            )
        write_private(key_file, new_data_key() + "\n")
    return parse_keyring(key_file.read_text(encoding="utf-8"), str(key_file))
