"""Hotline pages: importing historical call logs (upload → column mapping → run with progress → result).

docs/hotline-import.md is the guide for information managers; varta/hotline/importer.py does the work.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from itertools import islice
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from varta.accounts.permissions import Action
from varta.core.http import VartaRequest, acting
from varta.hotline import importer
from varta.hotline.importer_files import ImportFileError, ImportUploadHandler, StoredUpload, preview
from varta.hotline.importer_forms import MappingForm, UploadForm
from varta.hotline.importer_rows import cell_text
from varta.hotline.importer_template import XLSX_CONTENT_TYPE, template_csv, template_xlsx
from varta.hotline.models import ImportJob, ImportStatus

REPORT_PREVIEW = 20  # rejected rows listed on the result page (all of them in the downloadable report)


@require_GET
def import_list(request: VartaRequest) -> HttpResponse:
    membership = acting(request, Action.HOTLINE_IMPORT)
    jobs = importer.import_jobs_visible(membership).select_related("created_by")
    page = Paginator(jobs, 50).get_page(request.GET.get("page"))
    return render(request, "hotline/imports_list.html", {"page": page})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def import_new(request: VartaRequest) -> HttpResponse:
    """The upload. Its body is streamed to disk by ImportUploadHandler, which must be in place before anything reads
    the body — the CSRF check included, so the check runs in ``_upload`` (``csrf_protect``) after the handler is
    set. The permission is checked first, before a byte of the body is read."""
    acting(request, Action.HOTLINE_IMPORT)
    handler = ImportUploadHandler(request)
    request.upload_handlers = [handler]
    return _upload(request, handler)


@csrf_protect
def _upload(request: VartaRequest, handler: ImportUploadHandler) -> HttpResponse:
    membership = acting(request, Action.HOTLINE_IMPORT)
    if request.method != "POST":
        return render(request, "hotline/imports_new.html", {"form": UploadForm(), **_limits()})
    form = UploadForm(request.POST, request.FILES)
    upload = request.FILES.get("file")
    status = 400
    if handler.too_large:
        status = 413
        form.add_error(None, _("The file is too large: the limit is %(limit)s MB.") % {
            "limit": settings.IMPORT_MAX_BYTES // (1024 * 1024)})
    elif form.is_valid() and isinstance(upload, StoredUpload):
        try:
            job = importer.import_job_create(actor=request.actor, membership=membership, upload=upload)
        except ValidationError as exc:
            form.add_error("file", exc.message_dict.get("file", exc.messages))
        else:
            return redirect("hotline:import_map", job_id=job.pk)
    if isinstance(upload, StoredUpload):
        upload.discard()
    return render(request, "hotline/imports_new.html", {"form": form, **_limits()}, status=status)


def _limits() -> dict[str, Any]:
    return {"limit_mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)}


@require_http_methods(["GET", "POST"])
def import_map(request: VartaRequest, job_id: int) -> HttpResponse:
    membership = acting(request, Action.HOTLINE_IMPORT)
    job = importer.access_import_job(membership, job_id)
    if job.status != ImportStatus.UPLOADED:
        return redirect("hotline:import_detail", job_id=job.pk)
    try:
        _header, rows = preview(importer.upload_path(job), importer.file_format(job))
    except (ImportFileError, OSError):
        messages.error(request, _("The uploaded file is no longer kept: upload it again."))
        return redirect("hotline:import_new")
    form = MappingForm(request.POST or None, header=job.header, initial=MappingForm.initial_from(job.mapping))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                importer.import_job_map(
                    actor=request.actor, membership=membership, job=job, columns=form.columns(),
                    default_channel=form.cleaned_data["default_channel"],
                    duration_unit=form.cleaned_data["duration_unit"], strict=form.cleaned_data["strict"],
                    language=get_language() or settings.LANGUAGE_CODE)
            except ValidationError as exc:
                form.add_error(None, exc)  # errors naming a field land on that field
            else:
                return redirect("hotline:import_detail", job_id=job.pk)
    width = len(job.header)
    preview_rows = [(number, [cell_text(c) for c in (cells + [None] * width)[:width]]) for number, cells in rows]
    return render(request, "hotline/imports_map.html", {
        "job": job, "form": form, "header": job.header, "rows": preview_rows,
        "earlier": importer.earlier_imports_of_the_same_file(job).first(),
    }, status=status)


@require_POST
def import_run(request: VartaRequest, job_id: int) -> HttpResponse:
    """Resume an interrupted run, or import the valid rows of a strict run that rejected some."""
    membership = acting(request, Action.HOTLINE_IMPORT)
    job = importer.access_import_job(membership, job_id)
    strict = False if job.status == ImportStatus.REJECTED else None
    try:
        importer.import_job_start(actor=request.actor, membership=membership, job=job, strict=strict,
                                  language=get_language() or settings.LANGUAGE_CODE)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("hotline:import_detail", job_id=job.pk)
    return redirect("hotline:import_detail", job_id=job.pk)


@require_GET
def import_detail(request: VartaRequest, job_id: int) -> HttpResponse:
    membership = acting(request, Action.HOTLINE_IMPORT)
    job = importer.access_import_job(membership, job_id)
    return render(request, "hotline/imports_detail.html", {
        "job": job, "running": importer.is_running(job), "can_resume": importer.can_resume(job),
        "stalled": importer.is_stalled(job), "rejected": list(islice(importer.rejected_rows(job), REPORT_PREVIEW)),
        "has_report": job.rows_rejected > 0 and importer.report_path(job).exists(),
    })


def progress_data(job: ImportJob) -> dict[str, Any]:
    return {
        "status": job.status, "status_label": job.get_status_display(), "progress": job.progress,
        "running": importer.is_running(job), "stalled": importer.is_stalled(job),
        "rows_read": job.rows_read, "rows_rejected": job.rows_rejected, "rows_imported": job.rows_imported,
        "rows_present": job.rows_present,
    }


@require_GET
def import_progress(request: VartaRequest, job_id: int) -> JsonResponse:
    membership = acting(request, Action.HOTLINE_IMPORT)
    return JsonResponse(progress_data(importer.access_import_job(membership, job_id)))


class _Echo:
    def write(self, value: str) -> str:
        return value


def safe_cell(value: object) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    text = str(value)
    return f"'{text}" if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


@require_GET
def import_report(request: VartaRequest, job_id: int) -> StreamingHttpResponse:
    """The rejected rows as CSV (UTF-8 with BOM for Excel): row number, column, reason — no cell values."""
    membership = acting(request, Action.HOTLINE_IMPORT)
    job = importer.access_import_job(membership, job_id)
    if not importer.report_path(job).exists():
        raise Http404

    def lines() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield "\ufeff" + writer.writerow([_("Row"), _("Column"), _("Reason")])
        for number, column, message in importer.rejected_rows(job):
            yield writer.writerow([number, safe_cell(column), safe_cell(message)])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-rejected-rows.csv"'
    return response


@require_GET
def import_template(request: VartaRequest, fmt: str) -> HttpResponse:
    membership = acting(request, Action.HOTLINE_IMPORT)
    if fmt == "csv":
        response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(template_xlsx(membership.organisation_id), content_type=XLSX_CONTENT_TYPE)
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="varta-call-log-template.{fmt}"'
    return response


urlpatterns: list[URLPattern] = [
    path("imports/", import_list, name="imports"),
    path("imports/new/", import_new, name="import_new"),
    path("imports/template.<slug:fmt>", import_template, name="import_template"),
    path("imports/<int:job_id>/", import_detail, name="import_detail"),
    path("imports/<int:job_id>/map/", import_map, name="import_map"),
    path("imports/<int:job_id>/run/", import_run, name="import_run"),
    path("imports/<int:job_id>/progress/", import_progress, name="import_progress"),
    path("imports/<int:job_id>/report.csv", import_report, name="import_report"),
]
