"""What every page's navigation needs to know about the user."""

from typing import Any

from django.http import HttpRequest

from .dataversion import CSRF_PLACEHOLDER, filling_page
from .permissions import Action, can, role_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "nav": {
            "role": role_of(user),
            "reports": can(user, Action.VIEW_REPORTS),
            "review": can(user, Action.REVIEW_REPORTS),
            "payouts": can(user, Action.VIEW_PAYOUTS),
            "statistics": can(user, Action.VIEW_STATISTICS),
            "admin": can(user, Action.ADMINISTER) and bool(getattr(user, "is_staff", False)),
        }
    }


def page_cache(request: HttpRequest) -> dict[str, Any]:
    """While a page is rendered for the page cache (rehab.pagecache), the CSRF token is
    a placeholder, put in per request (this overrides Django's own `csrf_token`)."""
    if filling_page(request):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return {}
