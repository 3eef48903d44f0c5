"""The application's URLs plus the bench's bare view (bench settings only)."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def ok(request: HttpRequest) -> HttpResponse:
    """The floor: the full middleware stack and nothing else."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/ok/", ok, name="bench-ok"),
    path("", include("rehab.urls")),
]
