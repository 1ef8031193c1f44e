"""Helpers of the case-record tests (plan, services, follow-ups, notes): a case at a given stage, full answers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from varta.accounts.permissions import Role
from varta.cases import reintegration
from varta.cases.actions import cases as case_actions
from varta.cases.models import Case, CaseStage, ConsentPurpose
from varta.cases.tests.helpers import acting_as, give_consent, register_case

STAGES = (CaseStage.SCREENING, CaseStage.PLANNING, CaseStage.ASSISTANCE, CaseStage.MONITORING)


def case_at(org, stage: str = CaseStage.ASSISTANCE, *, consents: tuple[str, ...] = (ConsentPurpose.ASSISTANCE,),
            opened_days_ago: int = 400, **overrides: Any) -> Case:
    """A case of ``org``'s case worker, opened ``opened_days_ago`` days ago, moved to ``stage``, with consents."""
    case = register_case(org, opened_on=date.today() - timedelta(days=opened_days_ago), **overrides)
    for purpose in consents:
        give_consent(org, case, purpose)
    membership, actor = acting_as(org, Role.CASE_WORKER)
    for step in STAGES:
        if case.stage == stage:
            break
        if step == CaseStage.ASSISTANCE and ConsentPurpose.ASSISTANCE not in consents:
            give_consent(org, case, ConsentPurpose.ASSISTANCE)
        case_actions.move(actor=actor, membership=membership, case=case, to_stage=step)
    return case


def all_answers(value: int = 4) -> dict[str, int]:
    return {q.code: value for q in reintegration.QUESTIONS}


PDF_BYTES = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20


def upload(name: str = "report.pdf", content: bytes = PDF_BYTES, content_type: str = "application/pdf"
           ) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
