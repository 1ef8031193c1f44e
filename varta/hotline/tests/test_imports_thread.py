"""The run happens in a background thread of the server process; the progress page reads it from other requests."""

from __future__ import annotations

import threading

import pytest
from django.urls import reverse

from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.hotline.models import Contact, ImportJob, Topic
from varta.hotline.tests.helpers_imports import HEADER, csv_bytes, upload


# Committed data, so the thread's own connection sees it (the personas fixture puts back the reference rows an
# earlier transactional test flushed).
@pytest.mark.django_db(transaction=True)
def test_it_runs_the_import_in_a_background_thread(personas, places, settings, tmp_path, login_as):
    settings.VAR_DIR = tmp_path
    assert Topic.objects.filter(code="shelter").exists()
    manager = personas.a.membership(Role.INFORMATION_MANAGER)
    rows = [HEADER, *([f"t-{i}", f"2024-03-01 10:{i:02d}", "phone", "60", "shelter", "UA2110023", ""]
                      for i in range(40))]
    job = upload(manager, csv_bytes(rows))
    client = login_as(manager.user)
    response = client.post(reverse("hotline:import_map", args=[job.pk]), {
        "col_external_id": "0", "col_date": "1", "col_channel": "2", "col_topics": "4", "col_place": "5",
        "duration_unit": "1"})
    assert response.status_code == 302
    for thread in threading.enumerate():
        if thread.name == f"varta-import-{job.pk}":
            thread.join(timeout=30)
    progress = client.get(reverse("hotline:import_progress", args=[job.pk])).json()
    assert (progress["status"], progress["rows_imported"], progress["running"]) == ("done", 40, False)
    assert Contact.objects.filter(organisation=manager.organisation).count() == 40
    assert ImportJob.objects.get(pk=job.pk).run_by == manager.user
    event = AuditEvent.objects.get(action="hotline.contact.import")  # the thread carries the request's context
    assert (event.channel, event.actor_id, event.organisation_id) == ("web", manager.user_id, manager.organisation_id)
    assert event.request_id == response["X-Request-ID"]
