"""Case management pages: each area keeps its routes next to its views."""

from varta.cases.views import case, htcds, lists, records, register, rights

app_name = "cases"

urlpatterns = [
    *lists.urlpatterns,
    *register.urlpatterns,
    *case.urlpatterns,
    *records.urlpatterns,
    *rights.urlpatterns,
    *htcds.urlpatterns,
]
