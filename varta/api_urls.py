"""The REST API under /api/v1/: each context's routes, the OpenAPI 3 schema and its browsable docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("varta.accounts.api")),
    path("", include("varta.orgs.api")),
    path("geo/", include("varta.geo.api")),
    path("audit/", include("varta.audit.api")),
    path("hotline/", include("varta.hotline.api.urls")),
    path("cases/", include("varta.cases.api.urls")),
]
