"""The call-log import pages: upload (streamed to disk, its own size limit), mapping, run, progress, result."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from varta.accounts.permissions import Action, Role, can
from varta.hotline import importer
from varta.hotline.importer_files import import_dir
from varta.hotline.models import Contact, ImportJob, ImportStatus
from varta.hotline.tests.helpers_imports import HEADER, csv_bytes, run, upload
from varta.hotline.views.imports import safe_cell

ROWS = [HEADER, ["c-1", "2024-03-01 14:05", "phone", "240", "shelter", "UA2110023", "=1+1"],
        ["c-2", "2024-03-01 15:00", "phone", "240", "astrology", "UA2110023", ""]]


@pytest.fixture(autouse=True)
def _imports(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(importer, "launch", importer.run_job)


@pytest.fixture
def manager(personas):
    return personas.a.membership(Role.INFORMATION_MANAGER)


@pytest.fixture
def client_a(manager, login_as):
    return login_as(manager.user)


def a_file(content: bytes = b"", name: str = "log.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content or csv_bytes(ROWS), content_type="text/csv")


def uploads_on_disk() -> list[str]:
    return sorted(p.name for p in import_dir().iterdir() if p.suffix == ".upload")


def test_it_streams_the_upload_to_disk_and_suggests_the_mapping(client_a, manager):
    response = client_a.post(reverse("hotline:import_new"), {"file": a_file()})
    job = ImportJob.objects.get(organisation=manager.organisation)
    assert response.status_code == 302
    assert response["Location"] == reverse("hotline:import_map", args=[job.pk])
    path = importer.upload_path(job)
    assert path.read_bytes() == csv_bytes(ROWS)
    assert path.stat().st_mode & 0o777 == 0o600
    assert (job.file_name, job.file_kind, job.header) == ("log.csv", "csv", HEADER)
    page = client_a.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "astrology" in body
    assert "Unknown" not in body
    assert page.context["form"].initial["col_date"] == "1"
    assert page.context["form"].initial["col_topics"] == "4"


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv", "This is not a CSV or XLSX file."),
    (b"Date,Topics\n", "header.csv", "The file has a header row but no rows of data."),
])
def test_it_explains_a_refused_upload_and_keeps_nothing(client_a, content, name, message):
    response = client_a.post(reverse("hotline:import_new"), {"file": a_file(content, name)})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert uploads_on_disk() == []
    assert not ImportJob.objects.exists()


def test_it_says_when_the_file_is_empty_or_missing(client_a):
    empty = client_a.post(reverse("hotline:import_new"), {"file": SimpleUploadedFile("log.csv", b"")})
    assert empty.status_code == 400
    assert "The submitted file is empty." in empty.content.decode()
    missing = client_a.post(reverse("hotline:import_new"), {})
    assert missing.status_code == 400
    assert "This field is required." in missing.content.decode()
    assert uploads_on_disk() == []


def test_it_takes_files_larger_than_the_site_wide_limit():
    assert reverse("hotline:import_new") in django_settings.LARGE_UPLOAD_PATHS
    assert django_settings.LARGE_UPLOAD_PATHS[reverse("hotline:import_new")] == django_settings.IMPORT_MAX_BYTES
    assert django_settings.IMPORT_MAX_BYTES >= 50 * 1024 * 1024 > django_settings.MAX_REQUEST_BODY_BYTES


def test_it_accepts_a_12_mb_file_past_the_10_mb_site_limit(client_a, manager):
    row = ["c", "2024-03-01 14:05", "phone", "240", "shelter", "UA2110023", "x" * 60]
    content = csv_bytes([HEADER, *([f"c-{i}", *row[1:]] for i in range(150_000))])
    assert len(content) > 12 * 1024 * 1024
    response = client_a.post(reverse("hotline:import_new"), {"file": a_file(content)})
    assert response.status_code == 302
    assert ImportJob.objects.get(organisation=manager.organisation).file_size == len(content)


def test_it_refuses_a_file_over_the_import_limit_with_413(client_a, settings):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    settings.LARGE_UPLOAD_PATHS = {reverse("hotline:import_new"): settings.IMPORT_MAX_BYTES}
    response = client_a.post(reverse("hotline:import_new"), {"file": a_file()},
                             CONTENT_LENGTH=str(2 * 1024 * 1024))
    assert response.status_code == 413
    assert "What you sent is too large: the limit is 1 MB." in response.content.decode()
    assert uploads_on_disk() == []


def test_it_stops_an_upload_without_length_at_the_import_limit(client_a, settings):
    # The middleware lets the body through (as for a chunked upload with no Content-Length): the handler stops it.
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    settings.LARGE_UPLOAD_PATHS = {reverse("hotline:import_new"): 10 * 1024 * 1024}
    response = client_a.post(reverse("hotline:import_new"), {"file": a_file(b"x" * (2 * 1024 * 1024))})
    assert response.status_code == 413
    assert "The file is too large: the limit is 1 MB." in response.content.decode()
    assert uploads_on_disk() == []
    assert not ImportJob.objects.exists()


def test_it_shows_mapping_errors_next_to_the_fields(client_a, manager):
    job = upload(manager, csv_bytes(ROWS))
    response = client_a.post(reverse("hotline:import_map", args=[job.pk]),
                             {"col_topics": "4", "col_notes": "4", "duration_unit": "1"})
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["col_date"] == ["Choose the column that holds this."]
    assert form.errors["default_channel"] == ["Choose the column of the channel, or the channel of every row."]
    assert form.errors["col_notes"] == ["This column is already used for “Topics”."]
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED


def test_it_runs_the_import_and_shows_the_result(client_a, manager, places, django_capture_on_commit_callbacks):
    job = upload(manager, csv_bytes(ROWS))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(reverse("hotline:import_map", args=[job.pk]), {
            "col_external_id": "0", "col_date": "1", "col_channel": "2", "col_duration": "3", "col_topics": "4",
            "col_place": "5", "col_notes": "6", "duration_unit": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("hotline:import_detail", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.rows_imported, job.rows_rejected) == (ImportStatus.DONE, 1, 1)
    assert Contact.objects.get(external_id="id:c-1").summary == "=1+1"  # kept as typed; it is never a formula here
    page = client_a.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "Unknown topic “astrology”." in body
    assert reverse("hotline:import_report", args=[job.pk]) in body
    assert "data-import-progress" not in body  # finished: nothing to poll
    progress = client_a.get(reverse("hotline:import_progress", args=[job.pk])).json()
    assert progress == {"status": "done", "status_label": "Done", "progress": 100, "running": False,
                        "stalled": False, "rows_read": 2, "rows_rejected": 1, "rows_imported": 1, "rows_present": 0}
    listing = client_a.get(reverse("hotline:imports")).content.decode()
    assert reverse("hotline:import_detail", args=[job.pk]) in listing


def test_it_polls_a_running_import_without_inline_script(client_a, manager):
    job = upload(manager, csv_bytes(ROWS))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.VALIDATING, progress=20,
                                               heartbeat_at=job.created_at)
    response = client_a.get(reverse("hotline:import_detail", args=[job.pk]))
    body = response.content.decode()
    assert f'data-import-progress="{reverse("hotline:import_progress", args=[job.pk])}"' in body
    assert 'src="/static/hotline/imports.js"' in body
    assert "<script>" not in body
    assert '<progress id="import-progress" max="100" value="20">' in body
    assert client_a.get(reverse("hotline:import_progress", args=[job.pk])).json()["running"] is True


def test_it_offers_to_resume_a_silent_import(client_a, manager, places, django_capture_on_commit_callbacks):
    job = upload(manager, csv_bytes(ROWS))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING, mapping={
        "columns": {"external_id": 0, "date": 1, "channel": 2, "topics": 4}}, heartbeat_at=None)
    page = client_a.get(reverse("hotline:import_detail", args=[job.pk])).content.decode()
    assert "Resume the import" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(reverse("hotline:import_run", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.rows_imported) == (ImportStatus.DONE, 1)
    again = client_a.post(reverse("hotline:import_run", args=[job.pk]), follow=True)
    assert "This import is running or has finished." in again.content.decode()


def test_it_downloads_the_report_of_rejected_rows_without_formulas(client_a, manager, places,
                                                                   django_capture_on_commit_callbacks):
    rows = [["Date", "Channel", "@Topics"], ["2024-03-01 10:00", "phone", "astrology"]]
    job = run(manager, upload(manager, csv_bytes(rows)), django_capture_on_commit_callbacks,
              columns={"date": 0, "channel": 1, "topics": 2})
    response = client_a.get(reverse("hotline:import_report", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text == "\ufeffRow,Column,Reason\r\n2,'@Topics,Unknown topic “astrology”.\r\n"
    assert [safe_cell(v) for v in ("=A1", "+1", "-1", "@x", "ok")] == ["'=A1", "'+1", "'-1", "'@x", "ok"]


def test_it_gives_the_template_in_csv_and_xlsx(client_a):
    csv_response = client_a.get(reverse("hotline:import_template", args=["csv"]))
    assert csv_response.status_code == 200
    assert csv_response.content.decode("utf-8").startswith("\ufeffCall id,Date,Time,Channel")
    xlsx_response = client_a.get(reverse("hotline:import_template", args=["xlsx"]))
    assert xlsx_response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(xlsx_response.content)) as book:
        assert "xl/worksheets/sheet2.xml" in book.namelist()
    assert client_a.get(reverse("hotline:import_template", args=["ods"])).status_code == 404


def test_it_hides_another_organisations_import(personas, login_as, manager):
    job = upload(manager, csv_bytes(ROWS))
    client_b = login_as(personas.b.user(Role.INFORMATION_MANAGER))
    for name in ("hotline:import_detail", "hotline:import_map", "hotline:import_progress", "hotline:import_report"):
        assert client_b.get(reverse(name, args=[job.pk])).status_code == 404, name
    assert client_b.post(reverse("hotline:import_run", args=[job.pk])).status_code == 404
    assert "log.csv" not in client_b.get(reverse("hotline:imports")).content.decode()


@pytest.mark.parametrize("role", [r for r in Role if r != Role.INFORMATION_MANAGER], ids=lambda r: r.value)
def test_it_requires_the_import_permission(personas, login_as, manager, role):
    assert not can(personas.a.membership(role), Action.HOTLINE_IMPORT)
    job = upload(manager, csv_bytes(ROWS))
    client = login_as(personas.a.user(role))
    gets = [reverse("hotline:imports"), reverse("hotline:import_new"), reverse("hotline:import_template", args=["csv"])]
    gets += [reverse(n, args=[job.pk]) for n in ("hotline:import_detail", "hotline:import_map",
                                                 "hotline:import_progress", "hotline:import_report")]
    for url in gets:
        assert client.get(url).status_code == 403, url
    posts = [reverse("hotline:import_new"), reverse("hotline:import_map", args=[job.pk]),
             reverse("hotline:import_run", args=[job.pk])]
    for url in posts:
        assert client.post(url, {"file": a_file()}).status_code == 403, url
    assert uploads_on_disk() == [importer.upload_path(job).name]  # the refused upload was never written
