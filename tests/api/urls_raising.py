"""The project's URLs plus API views that fail the way a bug would (for the tests of
the API's error shape with DEBUG off)."""

from typing import Any

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.permissions import AllowAny

from rehab.api.base import ApiView, Response
from rehab.urls import handler400, handler500
from rehab.urls import urlpatterns as project_urlpatterns


class Broken(ApiView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    def get(self, request: Any) -> Response:
        raise RuntimeError("a bug")

    def put(self, request: Any) -> Response:
        return Response({"received": len(request.data)})

    post = patch = put


def broken_page(request: Any) -> Any:
    raise RuntimeError("a bug")


@csrf_exempt
def plain_form(request: Any) -> HttpResponse:
    """A plain Django view under /api/ that reads a form (as a file upload would)."""
    return HttpResponse(str(len(request.POST)))


urlpatterns = [
    path("api/v1/test-broken/", Broken.as_view()),
    path("api/v1/test-form/", plain_form),
    path("test-broken/", broken_page),
    *project_urlpatterns,
]

__all__ = ["handler400", "handler500", "urlpatterns"]
