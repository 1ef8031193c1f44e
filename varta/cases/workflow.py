"""The case workflow: registered → screening → assistance planning → assistance → reintegration monitoring → closed.

A case moves one step forward, or one step back to correct a mistake; it never skips a step. Closing is possible
from any open stage (a person may decline assistance at screening) but needs a closure reason from the case worker
and the approval of someone else who supervises (a supervisor of the case, or an org admin). A closed case can be
reopened by a supervisor; it goes back to the stage it was closed from.

Consents gate the work: moving into assistance needs the person's consent to assistance; recording a service needs
it too; a service or plan item given by another organisation needs a referral consent naming that organisation;
a follow-up needs the consent to follow-up contact (varta/cases/actions/consent.py, ``require_consent``).
"""

from __future__ import annotations

from varta.cases.models import CaseStage

ORDER: tuple[CaseStage, ...] = (
    CaseStage.REGISTERED, CaseStage.SCREENING, CaseStage.PLANNING, CaseStage.ASSISTANCE, CaseStage.MONITORING,
)


def next_stage(stage: str) -> CaseStage | None:
    if stage not in ORDER:
        return None
    position = ORDER.index(CaseStage(stage))
    return ORDER[position + 1] if position + 1 < len(ORDER) else None


def previous_stage(stage: str) -> CaseStage | None:
    if stage not in ORDER:
        return None
    position = ORDER.index(CaseStage(stage))
    return ORDER[position - 1] if position > 0 else None


def may_move(from_stage: str, to_stage: str) -> bool:
    """A direct move between open stages: one step forward or one step back."""
    return to_stage in (next_stage(from_stage), previous_stage(from_stage))
