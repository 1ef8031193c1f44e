"""Where Varta's secrets live: the Django secret key and the data-encryption keyring.

Both are kept outside the database. On the embedded default they are generated into ``./var/`` on first start
with owner-only permissions; in production they come from the environment (or ``*_FILE`` paths).

The keyring is a text file with one base64 (urlsafe) 256-bit key per line; the first line is the key new data is
encrypted with, later lines are older keys still accepted for decryption (see ``varta rotate-keys`` in
docs/operations.md, "Rotating the data key"). ``varta rotate-keys`` rewrites the file atomically; a running server
notices the change (``reread_key_file``) and adopts the new keyring without a restart. A missing keyring for an
existing database is fatal: Varta never runs unencrypted and never silently makes a new key that would orphan the
data.
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


def encode_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode("ascii")


# The key files this process has read, with their (inode, size, mtime) at that moment: a running server re-reads a
# key file only when it changed (a rotation), never merely because the keyring in memory differs from it.
_read_signatures: dict[str, tuple[int, int, int]] = {}


def _signature(path: Path) -> tuple[int, int, int]:
    stat = path.stat()
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def read_key_file(path: Path) -> list[bytes]:
    signature = _signature(path)
    keys = parse_keyring(path.read_text(encoding="utf-8"), str(path))
    _read_signatures[str(path)] = signature
    return keys


def reread_key_file(path: Path) -> list[bytes] | None:
    """The keyring in ``path`` if the file changed since this process last read it, else None.

    Raises ImproperlyConfigured when the changed file holds no valid keyring (the caller keeps the keys it has).
    """
    try:
        signature = _signature(path)
    except OSError:
        return None
    if _read_signatures.get(str(path)) == signature:
        return None
    return read_key_file(path)


def replace_key_file(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically, mode 0600, same owner: a reader sees the old file or the new."""
    owner = path.stat() if path.exists() else None
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            if owner is not None and hasattr(os, "geteuid") and (owner.st_uid, owner.st_gid) != (os.geteuid(),
                                                                                                  os.getegid()):
                os.fchown(fh.fileno(), owner.st_uid, owner.st_gid)  # as root: the server's user keeps its key file
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    try:  # make the rename itself durable (POSIX; not possible on Windows)
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def prepend_key(path: Path, key: bytes) -> None:
    """Write ``key`` as the first line of the key file, keeping every line below it (older keys, comments)."""
    old = path.read_text(encoding="utf-8")
    parse_keyring(old, str(path))  # refuse to build on a file that is not a keyring
    replace_key_file(path, encode_key(key) + "\n" + old + ("" if old.endswith("\n") or not old else "\n"))


def drop_keys(path: Path, keep: set[bytes]) -> int:
    """Remove every key not in ``keep`` from the key file (comments and blank lines stay); the number removed."""
    removed = 0
    lines: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            lines.append(line)
            continue
        kept = [part.strip() for part in stripped.split(",") if part.strip()]
        survivors = [part for part in kept if base64.urlsafe_b64decode(part) in keep]
        removed += len(kept) - len(survivors)
        if survivors:
            lines.append(",".join(survivors))
    text = "\n".join(lines) + "\n"
    parse_keyring(text, str(path))  # never write a file without a key
    replace_key_file(path, text)
    return removed


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
    return read_key_file(key_file)
