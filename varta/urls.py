"""Every route of Varta. tests/test_isolation.py enumerates these and fails on a route it does not cover."""

from django.urls import include, path
from django.views.i18n import set_language

from varta.core import views as core_views

handler400 = "varta.core.views.error_400"
handler403 = "varta.core.views.error_403"
handler404 = "varta.core.views.error_404"
handler500 = "varta.core.views.error_500"

urlpatterns = [
    path("", include("varta.core.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("varta.accounts.urls")),
    path("organisations/", include("varta.orgs.urls")),
    path("audit/", include("varta.audit.urls")),
    path("places/", include("varta.geo.urls")),
    path("hotline/", include("varta.hotline.urls")),
    path("cases/", include("varta.cases.urls")),
    path("api/v1/", include("varta.api_urls")),
]
