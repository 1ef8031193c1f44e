"""The HTCDS export: one CSV row per visible case with HTCDS v2 column names (varta/cases/htcds_map.py).

GET shows the page; ``GET ?download=csv`` downloads the non-identifying export (``cases.export``). The identifying
variant (names, contact details, documents) is a POST with a purpose and a confirmation, for an organisation admin
(``cases.subject_rights``) answering a person's request or making a transfer the person authorised. Either may be
narrowed to one case (``case=<id>``, 404 unless visible). Each download is an audit event naming the columns.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from varta.accounts.permissions import Action, can, require
from varta.audit import writes
from varta.cases import htcds_map, selectors
from varta.cases.models import Case
from varta.core.http import VartaRequest, acting
from varta.orgs.models import Membership

PURPOSES = (
    ("subject_request", gettext_lazy("The person's own request")),
    ("authorised_transfer", gettext_lazy("A transfer the person authorised (e.g. to another service provider)")),
)


def _cases(membership: Membership, case_id: str) -> QuerySet[Case]:
    cases = selectors.cases_visible(membership)
    if case_id:
        return cases.filter(pk=selectors.access_case(membership, case_id).pk)
    return cases


def _download(request: VartaRequest, cases: QuerySet[Case], *, identifying: bool,
              purpose: str = "") -> StreamingHttpResponse:
    changed = htcds_map.header(identifying=identifying) + ([f"purpose.{purpose}"] if purpose else [])
    writes.record(actor=request.actor, action="cases.export.htcds", object_type=writes.object_type(Case),
                  changed=changed)
    response = StreamingHttpResponse(htcds_map.csv_lines(cases, identifying=identifying),
                                     content_type="text/csv; charset=utf-8")
    kind = "identifying-" if identifying else ""
    response["Content-Disposition"] = (f'attachment; filename="varta-htcds-{kind}{timezone.localdate().isoformat()}'
                                       '.csv"')
    return response


@require_http_methods(["GET", "POST"])
def htcds_export(request: VartaRequest) -> HttpResponse | StreamingHttpResponse:
    membership = acting(request, Action.CASE_EXPORT)
    may_identify = can(membership, Action.CASE_SUBJECT_RIGHTS)
    source = request.POST if request.method == "POST" else request.GET
    case_id = source.get("case", "").strip()
    cases = _cases(membership, case_id)
    errors: dict[str, str] = {}
    if request.method == "GET" and request.GET.get("download") == "csv":
        return _download(request, cases, identifying=False)
    if request.method == "POST":
        require(membership, Action.CASE_SUBJECT_RIGHTS)
        purpose = request.POST.get("purpose", "")
        if purpose not in dict(PURPOSES):
            errors["purpose"] = _("Say why the export includes identifying details.")
        if request.POST.get("confirm") != "on":
            errors["confirm"] = _("Confirm that the person asked for this or authorised it.")
        if not errors:
            return _download(request, cases, identifying=True, purpose=purpose)
    return render(request, "cases/rights_htcds.html", {
        "may_identify": may_identify, "purposes": PURPOSES, "errors": errors, "case_id": case_id,
        "case": cases.first() if case_id else None, "count": cases.count(),
        "columns": htcds_map.columns(identifying=may_identify),
    }, status=400 if errors else 200)


urlpatterns: list[URLPattern] = [
    path("export/htcds/", htcds_export, name="htcds_export"),
]
