"""What the page's session timer needs (templates/base.html, session-timeout.js)."""

from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest

from .sessions import seconds_left


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
            "left": seconds_left(request),
        }
    }
