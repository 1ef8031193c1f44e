"""The hotline's pages: each area keeps its routes next to its views."""

from varta.hotline.views import callbacks, contacts, escalations, imports, stats, taxonomy

app_name = "hotline"

urlpatterns = [
    *contacts.urlpatterns,
    *callbacks.urlpatterns,
    *escalations.urlpatterns,
    *imports.urlpatterns,
    *stats.urlpatterns,
    *taxonomy.urlpatterns,
]
