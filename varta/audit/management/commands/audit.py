"""``varta audit verify [--expect-head SEQ:HASH]``: check the audit trail's hash chain."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from varta.audit.chain import ExpectedHead, VerifyResult, verify

KIND_LABELS = {
    "altered": gettext_lazy("altered"),
    "inserted": gettext_lazy("inserted"),
    "missing": gettext_lazy("deleted (missing)"),
    "broken-link": gettext_lazy("broken link"),
    "rewritten": gettext_lazy("rewritten (the recorded head changed)"),
    "head-missing": gettext_lazy("chain head deleted"),
}


def _expected_head(text: str) -> ExpectedHead:
    try:
        return ExpectedHead.parse(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("expected SEQ:HASH (a number, a colon and 64 hexadecimal digits), got %(text)r") % {"text": text}
        ) from None


class Command(BaseCommand):
    help = "Audit trail tools. 'verify' checks that no event was altered, inserted or deleted."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="verify")
        check = sub.add_parser(
            "verify",
            help=_("Walk the hash chain and report the first altered, inserted or deleted event (exit code 1)."),
        )
        check.add_argument(
            "--expect-head", type=_expected_head, metavar="SEQ:HASH",
            help=_("A head printed by an earlier run and kept outside the database: fail unless that event is "
                   "still in the chain with that hash (catches a chain rebuilt from scratch)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self._verify(options.get("expect_head"))

    def _verify(self, expect: ExpectedHead | None) -> None:
        result = verify(expect)
        self.stdout.write(_("Events checked: %(count)s") % {"count": result.checked})
        if result.ok:
            self.stdout.write(_("Chain head: event %(seq)s, hash %(hash)s") % {"seq": result.head_seq,
                                                                             "hash": result.head_hash})
            if expect is not None:
                self.stdout.write(_("The recorded head (event %(seq)s) is still in the chain.") % {"seq": expect.seq})
            self.stdout.write(_("Record this head outside the database; check it later with: "
                                "varta audit verify --expect-head %(seq)s:%(hash)s")
                              % {"seq": result.head_seq, "hash": result.head_hash})
            self.stdout.write(self.style.SUCCESS(_("The audit trail is intact.")))
            return
        raise CommandError(_problem_text(result), returncode=1)


def _problem_text(result: VerifyResult) -> str:
    problem = result.problem
    assert problem is not None
    lines = [
        _("The audit trail is NOT intact."),
        _("First bad event: #%(seq)s — %(kind)s: %(detail)s")
        % {"seq": problem.seq, "kind": KIND_LABELS.get(problem.kind, problem.kind), "detail": problem.detail},
        _("Last good event: #%(seq)s, hash %(hash)s") % {"seq": result.head_seq, "hash": result.head_hash},
    ]
    return "\n".join(lines)
