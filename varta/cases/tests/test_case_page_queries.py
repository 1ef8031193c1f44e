"""The case page and its tabs make as many SQL queries for a case with 20 services, follow-ups, notes, needs, plan
items and files as for a case with one of each: no query per row (bench/cases.py measures their speed)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from varta.accounts.permissions import Role
from varta.cases.actions.followups import record_follow_up, schedule_follow_ups
from varta.cases.actions.notes import add_note, upload_attachment
from varta.cases.actions.plan import NeedInput, PlanItemInput, add_need, add_plan_item
from varta.cases.actions.services import ServiceInput, record_service
from varta.cases.models import Case, CaseStage, ConsentPurpose, NeedDomain, ServiceOutcome, ServiceType
from varta.cases.tests.helpers import acting_as, give_consent
from varta.cases.tests.helpers_records import all_answers, case_at, upload
from varta.cases.views.common import TABS

SERVICE_TYPES = [ServiceType.MEDICAL, ServiceType.REHABILITATION_STAY, ServiceType.PSYCHOSOCIAL, ServiceType.CASH,
                 ServiceType.LEGAL_AID]
DOMAINS = [NeedDomain.HEALTH, NeedDomain.PSYCHOSOCIAL, NeedDomain.ECONOMIC, NeedDomain.LEGAL, NeedDomain.SHELTER]


def case_with(personas, n: int) -> Case:
    """A case in reintegration monitoring with ``n`` of every kind of row, some of them by a partner."""
    org, partner = personas.a, personas.b.organisation
    case = case_at(org, CaseStage.MONITORING, consents=(ConsentPurpose.ASSISTANCE, ConsentPurpose.FOLLOW_UP),
                   opened_days_ago=1200)
    give_consent(org, case, ConsentPurpose.REFERRAL, recipient=partner)
    membership, actor = acting_as(org, Role.CASE_WORKER)
    today = date.today()
    for i in range(n):
        need = add_need(actor=actor, membership=membership, case=case,
                        data=NeedInput(domain=DOMAINS[i % len(DOMAINS)], description=f"need {i}"))
        item = add_plan_item(actor=actor, membership=membership, case=case, data=PlanItemInput(
            service_type=SERVICE_TYPES[i % len(SERVICE_TYPES)], target_date=today - timedelta(days=i), need=need,
            provider=partner if i % 2 else None, note=f"item {i}"))
        started = today - timedelta(days=30 + i)
        record_service(actor=actor, membership=membership, case=case, data=ServiceInput(
            service_type=item.service_type, started_on=started, ended_on=started + timedelta(days=14),
            outcome=ServiceOutcome.COMPLETED, provider=partner if i % 2 else None,
            cost=None if i % 3 else Decimal(1200), currency="" if i % 3 else "UAH", project_code="EU-PROT-2019-04",
            plan_item=item))
        add_note(actor=actor, membership=membership, case=case, text=f"note {i}")
        upload_attachment(actor=actor, membership=membership, case=case, uploaded_file=upload(f"report-{i}.pdf"))
    follow_ups = []
    for first in range(0, n, 10):  # at most twelve at a time
        follow_ups += schedule_follow_ups(actor=actor, membership=membership, case=case,
                                          first_on=today - timedelta(days=31 * (n - first)), interval_months=1,
                                          count=min(10, n - first))
    for follow_up in follow_ups[: max(1, n // 2)]:
        record_follow_up(actor=actor, membership=membership, follow_up=follow_up, done_on=follow_up.due_on,
                         answers=all_answers(3))
    return case


def queries(client, url: str) -> int:
    client.get(url)  # the first request may fill caches (session, translations)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("route", [route for _name, route, _label in TABS])
def test_it_makes_no_query_per_row(personas, login_as, client, route):
    one, many = case_with(personas, 1), case_with(personas, 20)
    login_as(personas.a.user(Role.CASE_WORKER))

    assert queries(client, reverse(route, args=[many.pk])) == queries(client, reverse(route, args=[one.pk]))
