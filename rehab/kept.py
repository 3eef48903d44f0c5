"""Figures a user posted but the server could not take (the session had expired,
or the CSRF check failed) are kept in the session and given back to the form
after signing in again, so nothing typed is lost.

Only views marked with :func:`keeps_posted_data` have their posts kept. A kept
post is handed back only with its one-time token, which appears only in the
responses to the user's own browser (the login redirect, the CSRF page's link),
so a post forged from another site cannot fill in anyone's form unasked.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest, QueryDict

SESSION_KEY = "rehab:kept-posts"
TOKEN_PARAM = "kept"  # noqa: S105 - a query parameter name, not a secret
MAX_KEPT = 5  # per session: older ones are dropped
NOT_KEPT = {"csrfmiddlewaretoken", "action"}

F = TypeVar("F", bound=Callable[..., Any])


def keeps_posted_data(view: F) -> F:
    """Mark a view whose posted form is kept when it cannot be processed."""
    view.keeps_posted_data = True  # type: ignore[attr-defined]
    return view


def keep_post(request: HttpRequest) -> str:
    """Keep `request.POST` for `request.path` in the session; returns the token."""
    token = secrets.token_urlsafe(12)
    data = {name: request.POST.getlist(name) for name in request.POST if name not in NOT_KEPT}
    kept = dict(request.session.get(SESSION_KEY, {}))
    kept[token] = {"path": request.path, "data": data}
    request.session[SESSION_KEY] = dict(list(kept.items())[-MAX_KEPT:])
    return token


def take_kept(request: HttpRequest) -> QueryDict | None:
    """The post kept for this page under the token in the query string (removed
    from the session: given back once), or None."""
    token = request.GET.get(TOKEN_PARAM, "")
    kept = dict(request.session.get(SESSION_KEY, {}))
    entry = kept.get(token)
    if not token or entry is None or entry.get("path") != request.path:
        return None
    del kept[token]
    request.session[SESSION_KEY] = kept
    data = QueryDict(mutable=True)
    for name, values in entry["data"].items():
        data.setlist(name, list(values))
    return data
