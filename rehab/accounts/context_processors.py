"""What the page's session timer needs (templates/base.html, session-timeout.js)."""

from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest

from rehab.dataversion import filling_page

from .sessions import seconds_left

LEFT_PLACEHOLDER = "rehab-session-left-placeholder-3e9b"  # see rehab.pagecache


def session_timer(request: HttpRequest) -> dict[str, Any]:
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session:
        return {"session_timer": None}
    idle = settings.SESSION_IDLE_TIMEOUT
    return {
        "session_timer": {
            "idle": idle,
            "idle_minutes": max(1, idle // 60),
            "warn": settings.SESSION_WARNING_SECONDS,
            # Put in per request when the page is kept by the page cache.
            "left": LEFT_PLACEHOLDER if filling_page(request) else seconds_left(request),
        }
    }
