"""Pages of the shared domain: the start page and the health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from .models import Agreement
from .permissions import Action, can, role_of


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where a user lands after logging in: what their role lets them do next."""
    agreements = Agreement.objects.order_by("-year")[:5]
    return render(
        request,
        "rehab/home.html",
        {
            "role": role_of(request.user),
            "agreements": agreements,
            "may_administer": can(request.user, Action.ADMINISTER),
        },
    )


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database readiness for load balancers and compose healthchecks."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok"})
