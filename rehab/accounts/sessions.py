"""Session lifetime: signed out after SESSION_IDLE_TIMEOUT seconds without a request
(30 minutes) and SESSION_ABSOLUTE_TIMEOUT seconds after signing in (10 hours),
whatever happens in between. The page warns before the idle timeout
(static/js/session-timeout.js asks /konto/session/ how long is left)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest

STARTED = "rehab_session_started"
LAST_ACTIVITY = "rehab_last_activity"
# The last activity is written at most this often, so not every request saves the session.
WRITE_RESOLUTION = 60


def session_times(request: HttpRequest) -> tuple[float, float]:
    now = time.time()
    return request.session.get(STARTED, now), request.session.get(LAST_ACTIVITY, now)


def seconds_left(request: HttpRequest) -> int:
    now = time.time()
    started, last = session_times(request)
    idle_left = settings.SESSION_IDLE_TIMEOUT - (now - last)
    absolute_left = settings.SESSION_ABSOLUTE_TIMEOUT - (now - started)
    return max(0, int(min(idle_left, absolute_left)))


def session_expired(request: HttpRequest) -> str | None:
    """ "idle" or "absolute" when the signed-in session has run out, else None."""
    if SESSION_KEY not in request.session:
        return None
    now = time.time()
    started, last = session_times(request)
    if now - started >= settings.SESSION_ABSOLUTE_TIMEOUT:
        return "absolute"
    if now - last >= settings.SESSION_IDLE_TIMEOUT:
        return "idle"
    return None


def session_touch(request: HttpRequest, *, force: bool = False) -> None:
    """Count this request as activity (and note when the session began). Written at
    most every WRITE_RESOLUTION seconds (a tenth of the idle timeout if shorter),
    unless `force` (the timer's "Fortsätt vara inloggad")."""
    if SESSION_KEY not in request.session:
        return
    now = time.time()
    if STARTED not in request.session:
        request.session[STARTED] = now
    resolution = min(WRITE_RESOLUTION, settings.SESSION_IDLE_TIMEOUT / 10)
    if force or now - request.session.get(LAST_ACTIVITY, 0) >= resolution:
        request.session[LAST_ACTIVITY] = now


def session_start(request: HttpRequest) -> None:
    now = time.time()
    request.session[STARTED] = now
    request.session[LAST_ACTIVITY] = now
