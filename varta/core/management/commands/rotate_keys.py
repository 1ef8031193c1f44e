"""``varta rotate-keys``: re-encrypt every encrypted value under a new data key while Varta keeps running.

Key file (``VARTA_DATA_KEY_FILE``): the command writes a new key as the file's first line (older keys stay below),
running servers pick it up by themselves, and every value and blind-index token is re-encrypted under it.
``VARTA_DATA_KEYS``: the operator puts the new key first and restarts the servers; the command only re-encrypts.
docs/operations.md, "Rotating the data key", has the whole procedure.
"""

from __future__ import annotations

import base64
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from varta.audit import writes
from varta.audit.writes import Actor
from varta.core import crypto, keys, rotation
from varta.core.crypto import active_key_id, key_id

MAX_PASSES = 10


class Command(BaseCommand):
    help = ("Re-encrypt every encrypted value and blind-index token under a new data key, without downtime. With a "
            "key file, a new key is written as its first line; with VARTA_DATA_KEYS, put the new key first and "
            "restart the servers before running this. See docs/operations.md, 'Rotating the data key'.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--no-new-key", action="store_true",
                            help="Do not add a key: re-encrypt under the keyring's first key (finishes an interrupted "
                                 "rotation; always so when the keys come from VARTA_DATA_KEYS).")
        parser.add_argument("--retire-old", action="store_true",
                            help="Afterwards remove the older keys from the key file, once no value names them.")
        parser.add_argument("--check", action="store_true",
                            help="Only count the stored values under each key id; change nothing.")
        parser.add_argument("--batch-size", type=int, default=rotation.BATCH_SIZE,
                            help="Rows per transaction (default %(default)s).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            self._census()
            return
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        from_env = bool(settings.DATA_KEYS_FROM_ENV)
        key_file = Path(settings.DATA_KEY_FILE)
        new_key = False
        if from_env:
            self.stdout.write(
                f"The keys come from VARTA_DATA_KEYS: re-encrypting under its first key, {active_key_id()}. (A new "
                "key goes first in VARTA_DATA_KEYS on every server, and the servers are restarted, before this.)")
        elif options["no_new_key"]:
            crypto.reload_keyring(force=True)  # the file may have been edited by hand since this process read it
            self.stdout.write(f"Re-encrypting under the key file's first key, {active_key_id()}.")
        else:
            self._add_key(key_file)
            new_key = True
        active = active_key_id()
        totals = self._passes(from_env=from_env, key_file=key_file, batch_size=options["batch_size"])
        left = rotation.left_under_old_keys(active)
        problems: list[str] = []
        unreadable = totals.unreadable
        if unreadable:
            problems.append(f"{unreadable} values could not be decrypted with any key of the keyring (a key "
                            "missing from the keyring, or altered data); they were left as they are.")
        retired = 0
        if options["retire_old"]:
            retired = self._retire(left=left, unreadable=unreadable, from_env=from_env, key_file=key_file,
                                   problems=problems)
        elif left:
            self.stdout.write(f"Still under an older key: {self._describe(left)}. Run `varta rotate-keys "
                              "--no-new-key` again.")
        changed = [t.label for t in totals.tables if t.reencrypted]
        if totals.token_persons:
            changed.append("cases.persontoken")
        if new_key:
            changed.append("keyring.new_key")
        if retired:
            changed.append("keyring.retired_keys")
        writes.record(actor=Actor.system(), action="keys.rotate", object_type="core.keyring", object_id=active,
                      changed=changed)
        if problems:
            raise CommandError("\n".join(problems))

    def _add_key(self, key_file: Path) -> None:
        crypto.reload_keyring(force=True)
        new = base64.urlsafe_b64decode(keys.new_data_key())
        try:
            keys.prepend_key(key_file, new)
        except OSError as exc:
            raise CommandError(f"Could not write the key file {key_file}: {exc.strerror}. Run the command as the "
                               "user that owns the key file (the varta user); nothing was changed.") from exc
        crypto.reload_keyring(force=True)
        if active_key_id() != key_id(new):
            raise CommandError(f"The key file {key_file} was written but the keyring in use did not change: is "
                               "VARTA_DATA_KEY_FILE the file this installation reads?")
        self.stdout.write(self.style.WARNING(
            f"New data key {key_id(new)} written as the first line of {key_file}; the older keys stay below it.\n"
            "BACK UP THE KEY FILE NOW (docs/operations.md, 'Key management'): from now on values are encrypted "
            "under the new key, and without it they cannot be read."))

    def _passes(self, *, from_env: bool, key_file: Path, batch_size: int) -> rotation.PassResult:
        """Passes until one changes nothing, the last one after every running server has seen the key file."""
        settle_until = 0.0
        if not from_env:  # servers look at the file every KEY_FILE_CHECK_SECONDS; before that they use the old key
            settle_until = key_file.stat().st_mtime + 2 * crypto.KEY_FILE_CHECK_SECONDS
        tables = rotation.encrypted_tables()
        totals = {t.label: rotation.TableResult(label=t.label) for t in tables}
        token_persons = skipped = 0
        for number in range(1, MAX_PASSES + 1):
            result = rotation.one_pass(batch_size=batch_size, tables=tables)
            for t in result.tables:
                total = totals[t.label]
                total.rows = max(total.rows, t.rows)
                total.reencrypted += t.reencrypted
                total.unreadable = t.unreadable  # the last pass's count: unreadable values stay unreadable
            token_persons += result.token_persons
            skipped = result.token_persons_skipped
            self.stdout.write(f"Pass {number}: {result.changed} values and token sets rewritten.")
            if result.changed == 0:
                wait = settle_until - time.time()
                if wait <= 0:
                    break
                self.stdout.write(f"Waiting {wait:.0f} s for running servers to pick up the new key, then one "
                                  "more pass.")
                time.sleep(wait)
                settle_until = 0.0
        summary = rotation.PassResult(tables=list(totals.values()), token_persons=token_persons,
                                      token_persons_skipped=skipped)
        width = max([len(label) for label in totals] + [len("cases.persontoken")])
        for t in summary.tables:
            line = f"  {t.label:<{width}}  {t.reencrypted:>9} values re-encrypted  ({t.rows} rows)"
            self.stdout.write(line + (f", {t.unreadable} unreadable" if t.unreadable else ""))
        self.stdout.write(f"  {'cases.persontoken':<{width}}  {token_persons:>9} persons' search tokens rewritten"
                          + (f", {skipped} persons unreadable" if skipped else ""))
        return summary

    def _retire(self, *, left: dict[str, int], unreadable: int, from_env: bool, key_file: Path,
                problems: list[str]) -> int:
        old = [key_id(k) for k in settings.DATA_KEYS[1:]]
        if left or unreadable:
            problems.append("Old keys not retired: " + (f"values still name them ({self._describe(left)}). "
                                                        if left else "some values could not be read. ")
                            + "Run `varta rotate-keys --no-new-key --retire-old` again.")
            return 0
        if not old:
            self.stdout.write("The keyring holds one key only: nothing to retire.")
            return 0
        if from_env:
            self.stdout.write(f"No value names the older keys ({', '.join(old)}) any more: remove them from "
                              "VARTA_DATA_KEYS and restart the servers one by one.")
            return 0
        try:
            removed = keys.drop_keys(key_file, keep={settings.DATA_KEYS[0]})
        except OSError as exc:
            problems.append(f"Could not write the key file {key_file}: {exc.strerror}.")
            return 0
        crypto.reload_keyring(force=True)
        self.stdout.write(f"Retired {removed} older keys ({', '.join(old)}) from {key_file}. Update your offline "
                          "copies of the key file.")
        return removed

    def _census(self) -> None:
        active = active_key_id()
        self.stdout.write(f"Active key: {active}; keyring: {', '.join(key_id(k) for k in settings.DATA_KEYS)}.")
        for label, counts in rotation.key_census().items():
            described = ", ".join(f"{kid}{' (active)' if kid == active else ''}: {n}"
                                  for kid, n in sorted(counts.items())) or "empty"
            self.stdout.write(f"  {label}: {described}")

    @staticmethod
    def _describe(left: dict[str, int]) -> str:
        return ", ".join(f"{label} {n}" for label, n in sorted(left.items()))
