"""Pages of the shared domain: the start page, the health check and the error
pages (in the site's layout, with the navigation)."""

import logging

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.views import defaults

from .api.errors import api_bad_request, api_server_error, is_api_request
from .enums import Role
from .kept import TOKEN_PARAM, keep_post
from .models import Agreement
from .permissions import role_of

# Where each role starts its day (the first of these pages that exists).
START_PAGES = {
    Role.REGION_COORDINATOR: ("reporting:overview",),
    Role.REGION_VIEWER: ("reporting:overview",),
    Role.FK_CASE_OFFICER: ("reporting:inbox",),
    Role.FK_APPROVER: ("payments:runs",),
    Role.UNIT_REPORTER: ("reporting:my_unit",),
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where a user lands after logging in: their role's start page, or a short
    overview of the agreements (administrators, users without a role)."""
    role = role_of(request.user)
    for name in START_PAGES.get(role, ()):  # type: ignore[call-overload]
        try:
            return redirect(reverse(name))
        except NoReverseMatch:
            continue
    agreements = Agreement.objects.order_by("-year")[:5]
    return render(request, "rehab/home.html", {"role": role, "agreements": agreements})


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database readiness for load balancers and compose healthchecks."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok"})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The CSRF check failed (a page opened before signing in again, cookies off).
    A form of a page that keeps its posts (the report grid) is kept, and the page
    offers to go back with it. A post from another site (the Origin or Referer
    check failed) is never kept."""
    back = ""
    from_elsewhere = reason.startswith(("Origin checking failed", "Referer checking failed"))
    if request.method == "POST" and not from_elsewhere:
        try:
            view = resolve(request.path_info).func
        except Resolver404:
            view = None
        if getattr(view, "keeps_posted_data", False):
            back = f"{request.path}?{TOKEN_PARAM}={keep_post(request)}"
    return render(request, "errors/csrf.html", {"back": back, "reason": reason}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """500 in the site's layout with the user's navigation; if even that fails
    (the database is down, say), the same page without the user's details. Under
    /api/ the API's JSON error shape instead."""
    if is_api_request(request):
        return api_server_error(request)
    try:
        return render(request, "500.html", status=500)
    except Exception:
        logging.getLogger(__name__).exception("500 page with the request failed")
        return HttpResponseServerError(loader.get_template("500.html").render())


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400 (a request Django refused to read, e.g. a body over the size limit):
    Django's page, or the API's JSON error shape under /api/."""
    if is_api_request(request):
        return api_bad_request(request, exception)
    return defaults.bad_request(request, exception or Exception())
