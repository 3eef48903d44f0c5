"""Whole pages, rendered once per data version and session, then served from memory.

A page decorated with `cached_page` is rendered in full the first time a session asks
for it at a data version (rehab.dataversion), and kept under a key of:

- the data version: any committed change to what pages show gives a new key, so an
  entry is never read once its data has changed (the next request renders afresh);
- the session's contents (but the activity time and messages): who is signed in,
  with what, and what the session carries for the page (explanations typed on the
  report form, a kept post, the second factor's state);
- the user's id, role, region and admin flags; the path with its query string; the
  language; and the day (pages count days to a deadline).

What differs between two requests of one session is left out of the kept page as a
placeholder and put in on every request: the CSRF token (masked afresh each time,
and the session's own) and the seconds left before the idle timeout.

Not kept: anything but a GET answered 200 with HTML; htmx requests (they get a part of
a page); a request with messages to show, or one that added a message; a page whose
view set a cookie, asked for the CSRF token itself or changed the session; and
nothing while this transaction has changed data (`data_version()` is None).

Pages are kept in this process only, in a store of at most LOCAL_BYTES that drops the
least recently used: never in Redis, which is also the task queue and would grow with
every session and query string; each worker process renders a page once. The key
holds the data version, so nothing kept can be stale, and a deploy starts empty.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.utils import timezone

from rehab.accounts.context_processors import LEFT_PLACEHOLDER
from rehab.accounts.sessions import LAST_ACTIVITY, seconds_left
from rehab.dataversion import (
    CSRF_PLACEHOLDER,
    cache_key,
    filling_page,
    request_data_version,
    set_filling_page,
)

# Session entries that change without changing any page.
VOLATILE_SESSION_KEYS = frozenset({LAST_ACTIVITY, "_messages"})
# The per-process store: at most this many bytes of pages (the least recently used go).
LOCAL_BYTES = 32 * 1024 * 1024

Entry = tuple[bytes, list[tuple[str, str]]]  # (content with placeholders, view headers)


class _LocalStore:
    """A small least-recently-used store of pages in this process."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0
        self.entries: OrderedDict[str, Entry] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Entry | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: Entry) -> None:
        size = len(entry[0])
        if size > self.budget:
            return
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= len(old[0])
            self.entries[key] = entry
            self.size += size
            while self.size > self.budget:
                _, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped[0])

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0


LOCAL = _LocalStore(LOCAL_BYTES)


def _session_digest(request: HttpRequest) -> str:
    session = getattr(request, "session", None)
    if session is None:
        return ""
    kept = {k: v for k, v in session.items() if k not in VOLATILE_SESSION_KEYS}
    text = json.dumps(kept, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def page_key(request: HttpRequest, version: str, session_digest: str) -> str:
    user: Any = request.user
    vary = [
        session_digest,
        user.pk,
        getattr(user, "role", ""),
        getattr(user, "region_id", ""),
        user.is_staff,
        user.is_superuser,
        request.get_full_path(),
        timezone.localdate(),
    ]
    # With the cache's key prefix, as every cache key in this process has it.
    return cache.make_key(cache_key("page", version, vary))


def _pending_messages(request: HttpRequest) -> bool:
    return bool(len(messages.get_messages(request)))


def csrf_token(request: HttpRequest) -> str:
    """`get_token(request)`: the session's CSRF secret under a fresh mask, in Django's
    token format (which CsrfViewMiddleware unmasks), with the mask's 32 characters
    drawn from one read of the system's random source; Django's get_random_string
    reads it once per character, a tenth of a cached page's time. Without a secret
    yet, Django's own get_token makes one."""
    secret = request.META.get("CSRF_COOKIE")
    if not isinstance(secret, str) or len(secret) != CSRF_SECRET_LENGTH:
        return get_token(request)
    chars = CSRF_ALLOWED_CHARS
    size = len(chars)
    limit = 256 - 256 % size  # bytes below it map to the characters evenly
    mask = [byte % size for byte in secrets.token_bytes(2 * CSRF_SECRET_LENGTH) if byte < limit]
    if len(mask) < CSRF_SECRET_LENGTH:  # all but impossible: 33 of 64 bytes refused
        return get_token(request)
    mask = mask[:CSRF_SECRET_LENGTH]
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # as get_token: the cookie is renewed
    cipher = "".join(chars[(chars.index(c) + m) % size] for c, m in zip(secret, mask, strict=True))
    return "".join(chars[m] for m in mask) + cipher


def _fill_in(request: HttpRequest, content: bytes) -> bytes:
    """The kept page with this request's CSRF token and session time put in."""
    if CSRF_PLACEHOLDER.encode() in content:
        content = content.replace(CSRF_PLACEHOLDER.encode(), csrf_token(request).encode())
    if LEFT_PLACEHOLDER.encode() in content:
        content = content.replace(LEFT_PLACEHOLDER.encode(), str(seconds_left(request)).encode())
    return content


def _storable(request: HttpRequest, response: HttpResponse, token_asked: bool) -> bool:
    storage = getattr(request, "_messages", None)
    return (
        response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and not response.cookies
        and not token_asked
        and not (storage is not None and storage.added_new)
    )


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve the view's page from the page cache (see the module's docstring). Put it
    innermost, under the decorators that check who may read the page: they still run
    on every request."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if (
            request.method != "GET"
            or getattr(request, "htmx", False)
            or filling_page(request)
            or _pending_messages(request)
        ):
            return view(request, *args, **kwargs)
        version = request_data_version(request)
        if version is None:
            return view(request, *args, **kwargs)
        digest = _session_digest(request)
        key = page_key(request, version, digest)
        entry = LOCAL.get(key)
        if entry is not None:
            content, headers = entry
            response = HttpResponse(_fill_in(request, content))
            for name, value in headers:
                response[name] = value
            return response

        token_asked = bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
        set_filling_page(request, True)
        try:
            response = view(request, *args, **kwargs)
            render = getattr(response, "render", None)
            if render is not None and not getattr(response, "is_rendered", True):
                render()
        finally:
            set_filling_page(request, False)
        token_asked = token_asked or bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
        if response.streaming:
            return response
        content = response.content
        if _storable(request, response, token_asked) and _session_digest(request) == digest:
            LOCAL.put(key, (content, list(response.items())))
        response.content = _fill_in(request, content)
        return response

    return wrapper
