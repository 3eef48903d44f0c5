"""Pages of the shared domain: the start page and the health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from .enums import Role
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
