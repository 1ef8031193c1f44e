"""The case management API routes (under /api/v1/cases/)."""

from varta.cases.api import cases, records

urlpatterns = [*cases.urlpatterns, *records.urlpatterns]
