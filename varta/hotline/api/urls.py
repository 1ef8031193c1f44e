"""The hotline's API routes (under /api/v1/hotline/)."""

from varta.hotline.api import callbacks, contacts, stats, taxonomy

urlpatterns = [*contacts.urlpatterns, *callbacks.urlpatterns, *stats.urlpatterns, *taxonomy.urlpatterns]
