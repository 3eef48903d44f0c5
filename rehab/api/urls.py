"""The API root: /api/v1/ (included from rehab/urls.py)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import docs, reference
from .schema import SCHEMA_SETTINGS

app_name = "api"


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema: public, so it counts against the open (anonymous) rate."""

    throttle_scope = "open"


urlpatterns = [
    path("schema/", SchemaView.as_view(custom_settings=SCHEMA_SETTINGS), name="schema"),
    path("docs/", docs.docs, name="docs"),
    path("regions/", reference.RegionList.as_view(), name="region-list"),
    path("regions/<str:code>/", reference.RegionDetail.as_view(), name="region-detail"),
    path("treatments/", reference.TreatmentList.as_view(), name="treatment-list"),
    path("treatments/<str:code>/", reference.TreatmentDetail.as_view(), name="treatment-detail"),
    path("agreements/", reference.AgreementList.as_view(), name="agreement-list"),
    path("agreements/<int:year>/", reference.AgreementDetail.as_view(), name="agreement-detail"),
    path("periods/", reference.PeriodList.as_view(), name="period-list"),
    path("", include("reporting.api.urls")),
    path("", include("payments.api.urls")),
    path("", include("followup.api_urls")),
    # Anything else under /api/v1/ is a 404 in the API's error shape, not an HTML page.
    re_path(r"^[\s\S]*$", docs.not_found, name="not-found"),
]
