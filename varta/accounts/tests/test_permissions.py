"""The permission table: its documentation, its labels, and every role against every page."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from varta.accounts.permissions import (
    ACTION_LABELS,
    ROLE_ACTIONS,
    ROLE_LABELS,
    Action,
    Role,
    can,
    permissions_markdown,
    role_needs_two_factor,
)
from varta.orgs.models import Organisation

DOC = Path(settings.BASE_DIR).parent / "docs" / "permissions.md"


def test_it_documents_the_table_exactly():
    assert DOC.read_text(encoding="utf-8") == permissions_markdown(), "run `varta permissions-doc`"


def test_it_writes_the_document_with_the_command(tmp_path):
    target = tmp_path / "permissions.md"
    out = io.StringIO()
    call_command("permissions_doc", output=target, stdout=out)
    assert target.read_text(encoding="utf-8") == permissions_markdown()
    call_command("permissions_doc", output=target, check=True, stdout=out)
    assert "up to date" in out.getvalue()


def test_it_fails_the_check_when_the_document_is_stale(tmp_path):
    target = tmp_path / "permissions.md"
    target.write_text("# Permissions\n\nold\n", encoding="utf-8")
    with pytest.raises(CommandError, match="out of date"):
        call_command("permissions_doc", output=target, check=True)
    assert target.read_text(encoding="utf-8") == "# Permissions\n\nold\n"


def test_it_labels_every_role_and_action():
    assert set(ROLE_LABELS) == set(Role)
    assert set(ACTION_LABELS) == set(Action)
    assert set(ROLE_ACTIONS) == set(Role)
    assert all(str(label) for label in ROLE_LABELS.values())


def test_it_lists_every_role_and_action_in_the_document():
    text = permissions_markdown()
    assert all(role.value in text for role in Role)
    assert all(f"`{action.value}`" in text for action in Action)


def test_it_requires_two_factors_exactly_for_roles_that_see_personal_data():
    for role in Role:
        assert role_needs_two_factor(role) is (Action.PERSONAL_DATA in ROLE_ACTIONS[role])
    assert not role_needs_two_factor(Role.TASKFORCE_COORDINATOR)
    assert role_needs_two_factor(Role.HOTLINE_OPERATOR)


def test_it_allows_nothing_to_an_inactive_membership(personas):
    member = personas.a.membership(Role.SYSTEM_ADMIN)
    member.is_active = False
    assert not any(can(member, action) for action in Action)
    assert not any(can(None, action) for action in Action)


# --- Every role against every page -------------------------------------------------------------------------

# route name → (the action that opens it — or a tuple: any of them —, kwargs from the personas)
PAGES: dict[str, tuple[Action | tuple[Action, ...], str | None]] = {
    "orgs:detail": (Action.ORG_VIEW, None),
    "orgs:edit_own": (Action.ORG_EDIT, None),
    "orgs:member_create": (Action.MEMBERS_MANAGE, None),
    "orgs:member_edit": (Action.MEMBERS_MANAGE, "own_member"),
    "orgs:list": (Action.ORGS_MANAGE, None),
    "orgs:create": (Action.ORGS_MANAGE, None),
    "orgs:edit": (Action.ORGS_MANAGE, "other_org"),
    "audit:list": (Action.AUDIT_VIEW_ORG, None),
    "geo:browse": (Action.GEO_VIEW, None),
    "hotline:contact_new": (Action.HOTLINE_CONTACT_CREATE, None),
    "hotline:contact_list": (Action.HOTLINE_CONTACT_VIEW, None),
    "hotline:callbacks": (Action.HOTLINE_CONTACT_VIEW, None),
    "hotline:escalations": (Action.HOTLINE_ESCALATION_VIEW, None),
    "hotline:imports": (Action.HOTLINE_IMPORT, None),
    "hotline:taxonomy": (Action.TAXONOMY_MANAGE, None),
    "hotline:stats": ((Action.STATS_ORG, Action.STATS_AGGREGATE), None),
    "cases:overdue": (Action.CASE_VIEW, None),
    "cases:team": (Action.CASE_SUPERVISE, None),
    "cases:register": (Action.CASE_REGISTER, None),
    "cases:retention": (Action.CASE_SUBJECT_RIGHTS, None),
    "cases:htcds_export": (Action.CASE_EXPORT, None),
}
# Actions without a page of their own (yet): a new page for them must be added to PAGES.
WITHOUT_PAGE = {
    Action.PERSONAL_DATA: "a marker: two-factor login; the pages of personal data come with the hotline and cases",
    Action.AUDIT_VIEW_ALL: "the same audit page, widened to every organisation",
    Action.HOTLINE_ESCALATE: "a form on the contact page and the operator screen",
    Action.TAXONOMY_MANAGE_STANDARD: "the topics page, with the standard terms editable",
    Action.CASE_WORK: "forms on the tabs of a case page (needs a case the user may see)",
}
# Pages every logged-in member reaches.
EVERYONE = ["core:home", "accounts:profile", "accounts:tokens"]


def _actions(entry: Action | tuple[Action, ...]) -> tuple[Action, ...]:
    return entry if isinstance(entry, tuple) else (entry,)


def test_it_covers_every_action_with_a_page():
    covered = {action for entry, _ in PAGES.values() for action in _actions(entry)} | set(WITHOUT_PAGE)
    assert covered == set(Action), f"actions without a page in PAGES: {set(Action) - covered}"


def _url(name: str, kind: str | None, personas, role: Role) -> str:
    if kind == "own_member":
        member = personas.a.membership(Role.CASE_WORKER if role != Role.CASE_WORKER else Role.HOTLINE_OPERATOR)
        return reverse(name, kwargs={"member_id": member.pk})
    if kind == "other_org":
        return reverse(name, kwargs={"organisation_id": personas.b.organisation.pk})
    return reverse(name)


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_it_opens_exactly_the_pages_the_roles_actions_allow(client, personas, login_as, role):
    login_as(personas.a.user(role))
    allowed = ROLE_ACTIONS[role]
    for name, (action, kind) in PAGES.items():
        response = client.get(_url(name, kind, personas, role))
        expected = 200 if set(_actions(action)) & allowed else 403
        assert response.status_code == expected, f"{role.value} GET {name}: {response.status_code}"
    for name in EVERYONE:  # (a hotline operator's home is the operator screen)
        assert client.get(reverse(name), follow=True).status_code == 200, f"{role.value} GET {name}"


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_it_shows_in_the_navigation_exactly_the_pages_the_role_may_open(client, personas, login_as, role):
    login_as(personas.a.user(role))
    content = client.get("/", follow=True).content.decode()
    nav = content[content.index('<nav class="main-nav"'):content.index("</nav>")]
    for name in ("orgs:detail", "orgs:list", "audit:list", "geo:browse", "hotline:contact_list",
                 "hotline:escalations", "hotline:imports", "hotline:taxonomy", "hotline:stats", "cases:register"):
        may = bool(set(_actions(PAGES[name][0])) & ROLE_ACTIONS[role])
        assert (f'href="{reverse(name)}"' in nav) is may, f"{role.value} nav {name}"


def test_it_gives_403_with_the_translated_reason(client, personas, login_as):
    login_as(personas.a.user(Role.HOTLINE_OPERATOR))
    response = client.get(reverse("orgs:list"))
    assert response.status_code == 403
    assert "Your role does not allow this." in response.content.decode()
    assert Organisation.objects.count() == 2
