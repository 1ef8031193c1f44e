"""Roles and what each may do: one table, checked in one place (``can`` / ``require``).

docs/permissions.md is generated from ``ROLE_ACTIONS`` (``varta permissions-doc``) and a test keeps them equal.
Later contexts (hotline, cases, referrals, stats) add their actions here, in the same table.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from varta.orgs.models import Membership


class Role(StrEnum):
    HOTLINE_OPERATOR = "hotline_operator"
    CASE_WORKER = "case_worker"
    CASE_SUPERVISOR = "case_supervisor"
    INFORMATION_MANAGER = "information_manager"
    TASKFORCE_COORDINATOR = "taskforce_coordinator"
    ORG_ADMIN = "org_admin"
    SYSTEM_ADMIN = "system_admin"


ROLE_LABELS = {
    Role.HOTLINE_OPERATOR: _("Hotline operator"),
    Role.CASE_WORKER: _("Case worker"),
    Role.CASE_SUPERVISOR: _("Case supervisor"),
    Role.INFORMATION_MANAGER: _("Information manager"),
    Role.TASKFORCE_COORDINATOR: _("Task-force coordinator"),
    Role.ORG_ADMIN: _("Organisation admin"),
    Role.SYSTEM_ADMIN: _("System admin"),
}


ROLE_CHOICES = [(r.value, r.value) for r in Role]


class Action(StrEnum):
    # Marker: the role can see personal data of survivors or callers, so two-factor login is required.
    PERSONAL_DATA = "personal_data.view"
    ORG_VIEW = "org.view"  # own organisation's profile
    ORG_EDIT = "org.edit"  # own organisation's profile and areas of operation
    MEMBERS_MANAGE = "org.members.manage"  # own organisation's users and roles
    ORGS_MANAGE = "orgs.manage"  # every organisation: create, edit, deactivate
    AUDIT_VIEW_ORG = "audit.view_org"  # audit trail of the acting organisation
    AUDIT_VIEW_ALL = "audit.view_all"  # audit trail of the whole system
    GEO_VIEW = "geo.view"
    STATS_AGGREGATE = "stats.view_aggregate"  # figures across organisations, never a person
    STATS_ORG = "stats.view_org"  # own organisation's figures
    HOTLINE_CONTACT_CREATE = "hotline.contact.create"  # log and correct contacts, schedule call-backs
    HOTLINE_CONTACT_VIEW = "hotline.contact.view"  # read the organisation's contacts (caller details on reveal)
    HOTLINE_ESCALATE = "hotline.escalate"
    HOTLINE_ESCALATION_VIEW = "hotline.escalation.view"
    HOTLINE_IMPORT = "hotline.import"
    TAXONOMY_MANAGE = "taxonomy.manage"  # the organisation's own terms
    TAXONOMY_MANAGE_STANDARD = "taxonomy.manage_standard"  # the standard terms every organisation shares
    CASE_VIEW = "cases.view"  # cases within need-to-know: own (worker), team (supervisor), all (org admin)
    CASE_REGISTER = "cases.register"  # register persons and open cases (search before register)
    CASE_WORK = "cases.work"  # screening, consents, plan, services, follow-ups, notes, attachments, transitions
    CASE_SUPERVISE = "cases.supervise"  # approve closures, reassign, reopen
    CASE_EXPORT = "cases.export"  # CSV/XLSX exports of case lists
    CASE_SUBJECT_RIGHTS = "cases.subject_rights"  # a person's data-subject access export; retention anonymisation


ACTION_LABELS = {
    Action.PERSONAL_DATA: "May see personal data (two-factor login required)",
    Action.ORG_VIEW: "See own organisation's profile and members",
    Action.ORG_EDIT: "Edit own organisation's profile and areas of operation",
    Action.MEMBERS_MANAGE: "Add users to own organisation, change their roles, deactivate them",
    Action.ORGS_MANAGE: "Create, edit and deactivate any organisation",
    Action.AUDIT_VIEW_ORG: "Read the audit trail of own organisation",
    Action.AUDIT_VIEW_ALL: "Read the audit trail of the whole system",
    Action.GEO_VIEW: "Look up places (P-codes) and countries",
    Action.STATS_AGGREGATE: "See aggregate figures across organisations (never a person's record)",
    Action.STATS_ORG: "See own organisation's figures",
    Action.HOTLINE_CONTACT_CREATE: "Log hotline contacts and consultations, correct them, schedule call-backs",
    Action.HOTLINE_CONTACT_VIEW: "Read own organisation's hotline contacts (caller details only on an audited reveal)",
    Action.HOTLINE_ESCALATE: "Escalate a suspected trafficking situation to case management",
    Action.HOTLINE_ESCALATION_VIEW: "See escalations waiting for case management",
    Action.HOTLINE_IMPORT: "Import historical call logs (CSV, XLSX)",
    Action.TAXONOMY_MANAGE: "Add, translate and retire own organisation's consultation topics",
    Action.TAXONOMY_MANAGE_STANDARD: "Edit the standard consultation topics every organisation shares",
    Action.CASE_VIEW: "Read cases on a need-to-know basis: a case worker their own, a supervisor their team's, "
                      "an org admin all of the organisation's (personal fields only on an audited reveal)",
    Action.CASE_REGISTER: "Register persons and open cases, after searching for the person",
    Action.CASE_WORK: "Work on visible cases: screening, consents, needs and plan, services, follow-ups, notes, "
                      "attachments, moving the case on",
    Action.CASE_SUPERVISE: "Approve closures, reopen cases, reassign case workers and supervisors",
    Action.CASE_EXPORT: "Export case lists (CSV, XLSX)",
    Action.CASE_SUBJECT_RIGHTS: "Export everything about one person (access request); anonymise closed cases",
}

_EVERYONE = {Action.ORG_VIEW, Action.GEO_VIEW}

ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.HOTLINE_OPERATOR: frozenset(
        _EVERYONE
        | {
            Action.PERSONAL_DATA,
            Action.HOTLINE_CONTACT_CREATE,
            Action.HOTLINE_CONTACT_VIEW,
            Action.HOTLINE_ESCALATE,
            Action.HOTLINE_ESCALATION_VIEW,
            Action.STATS_ORG,
        }
    ),
    Role.CASE_WORKER: frozenset(
        _EVERYONE
        | {
            Action.PERSONAL_DATA,
            Action.HOTLINE_CONTACT_VIEW,
            Action.HOTLINE_ESCALATION_VIEW,
            Action.CASE_VIEW,
            Action.CASE_REGISTER,
            Action.CASE_WORK,
        }
    ),
    Role.CASE_SUPERVISOR: frozenset(
        _EVERYONE
        | {
            Action.PERSONAL_DATA,
            Action.HOTLINE_CONTACT_VIEW,
            Action.HOTLINE_ESCALATION_VIEW,
            Action.STATS_ORG,
            Action.CASE_VIEW,
            Action.CASE_REGISTER,
            Action.CASE_WORK,
            Action.CASE_SUPERVISE,
            Action.CASE_EXPORT,
        }
    ),
    Role.INFORMATION_MANAGER: frozenset(
        _EVERYONE | {Action.PERSONAL_DATA, Action.HOTLINE_CONTACT_VIEW, Action.HOTLINE_IMPORT, Action.STATS_ORG}
    ),
    Role.TASKFORCE_COORDINATOR: frozenset(_EVERYONE | {Action.STATS_AGGREGATE}),
    Role.ORG_ADMIN: frozenset(
        _EVERYONE
        | {
            Action.PERSONAL_DATA,
            Action.ORG_EDIT,
            Action.MEMBERS_MANAGE,
            Action.AUDIT_VIEW_ORG,
            Action.STATS_ORG,
            Action.TAXONOMY_MANAGE,
            Action.CASE_VIEW,
            Action.CASE_SUPERVISE,
            Action.CASE_EXPORT,
            Action.CASE_SUBJECT_RIGHTS,
        }
    ),
    Role.SYSTEM_ADMIN: frozenset(
        _EVERYONE
        | {
            Action.PERSONAL_DATA,
            Action.ORG_EDIT,
            Action.MEMBERS_MANAGE,
            Action.ORGS_MANAGE,
            Action.AUDIT_VIEW_ORG,
            Action.AUDIT_VIEW_ALL,
            Action.STATS_AGGREGATE,
            Action.STATS_ORG,
            Action.TAXONOMY_MANAGE,
            Action.TAXONOMY_MANAGE_STANDARD,
        }
    ),
}


def can(membership: Membership | None, action: Action) -> bool:
    if membership is None or not membership.is_active or not membership.organisation.is_active:
        return False
    return action in ROLE_ACTIONS[Role(membership.role)]


def require(membership: Membership | None, action: Action) -> Membership:
    """Raise PermissionDenied (403) unless the acting membership's role allows ``action``."""
    if membership is None or not can(membership, action):
        raise PermissionDenied(_("Your role does not allow this."))
    return membership


def role_needs_two_factor(role: str) -> bool:
    return Action.PERSONAL_DATA in ROLE_ACTIONS[Role(role)]


def permissions_markdown() -> str:
    roles = list(Role)
    lines = [
        "# Permissions",
        "",
        "Generated from `varta/accounts/permissions.py` by `varta permissions-doc`; a test keeps this file equal",
        "to the table in code. A role's actions apply within the organisation of the membership that carries",
        "the role (the *acting organisation*); `orgs.manage`, `audit.view_all` and `stats.view_aggregate` reach",
        "across organisations. Reading a record of another organisation answers 404, exactly as for a record",
        "that does not exist. Roles marked with `personal_data.view` must log in with two factors.",
        "",
        "| action | meaning | " + " | ".join(r.value for r in roles) + " |",
        "|---|---|" + "---|" * len(roles),
    ]
    for action in Action:
        marks = " | ".join("✔" if action in ROLE_ACTIONS[r] else "" for r in roles)
        lines.append(f"| `{action.value}` | {ACTION_LABELS[action]} | {marks} |")
    lines.append("")
    return "\n".join(lines)
