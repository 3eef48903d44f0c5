"""What every API view shares: JSON in and out, the error shape, the schema with
its error responses, and POSTs run through the Idempotency-Key handling."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework import generics, serializers, status, views
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from . import idempotency
from .errors import ApiError
from .schema import ApiAutoSchema


class ApiViewMixin:
    # JSON only: DRF's browsable HTML API needs inline scripts the CSP forbids;
    # the documentation page is /api/v1/docs/.
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    schema = ApiAutoSchema()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        """DRF's dispatch, with a POST handler run by idempotency.run_post (one
        transaction, Idempotency-Key honoured)."""
        view: Any = self
        view.args = args
        view.kwargs = kwargs
        drf_request = view.initialize_request(request, *args, **kwargs)
        view.request = drf_request
        view.headers = view.default_response_headers
        try:
            # Read a JSON (or any non-multipart) body through Django first, so
            # DATA_UPLOAD_MAX_MEMORY_SIZE holds for every method (DRF's JSON parser
            # would stream it unchecked); over the limit -> 413 in the error shape.
            # A multipart body is Django's multipart parser's: files are kept apart
            # from that limit and checked against the upload limits by the service.
            if not (request.content_type or "").startswith("multipart/"):
                request.body  # noqa: B018
            view.initial(drf_request, *args, **kwargs)
            method = (drf_request.method or "").lower()
            handler = (
                getattr(view, method, view.http_method_not_allowed)
                if method in view.http_method_names
                else view.http_method_not_allowed
            )
            if method == "post" and handler != view.http_method_not_allowed:
                response = idempotency.run_post(
                    drf_request,
                    lambda: handler(drf_request, *args, **kwargs),
                    view.handle_exception,
                )
            else:
                response = handler(drf_request, *args, **kwargs)
        except Exception as exc:
            response = view.handle_exception(exc)
        view.response = view.finalize_response(drf_request, response, *args, **kwargs)
        return view.response


class ApiView(ApiViewMixin, views.APIView):
    """DRF's APIView with the API's error shape and Idempotency-Key handling."""


class ApiGenericView(ApiViewMixin, generics.GenericAPIView):
    """DRF's GenericAPIView with the API's error shape and Idempotency-Key handling."""


class ApiListView(ApiViewMixin, generics.ListAPIView):
    """DRF's ListAPIView with the API's error shape and Idempotency-Key handling."""


class ApiRetrieveView(ApiViewMixin, generics.RetrieveAPIView):
    """DRF's RetrieveAPIView with the API's error shape and Idempotency-Key handling."""


class AnyContent(BaseContentNegotiation):
    """A download is what it is (CSV, XLSX, PDF …) whatever the client's Accept
    says; errors are JSON."""

    def select_parser(self, request: Any, parsers: Any) -> Any:
        return parsers[0]

    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        return (renderers[0], renderers[0].media_type)


def forbidden() -> ApiError:
    """The 403 of a caller who may read the object but not do this to it."""
    return ApiError(
        _("Du har inte behörighet att göra detta."),
        code="permission_denied",
        status_code=status.HTTP_403_FORBIDDEN,
    )


def numbered(versions: Any, number: int) -> Any:
    """The version with `number` among `versions` (of a report or an account), or 404."""
    version = next((v for v in versions if v.number == number), None)
    if version is None:
        raise ApiError(
            _("Versionen finns inte."), code="not_found", status_code=status.HTTP_404_NOT_FOUND
        )
    return version


def validated(serializer_class: type[Any], request: Any) -> Any:
    """`serializer_class` bound to the request's body and validated (400 otherwise)."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer


__all__ = [
    "AnyContent",
    "ApiGenericView",
    "ApiListView",
    "ApiRetrieveView",
    "ApiView",
    "Response",
    "forbidden",
    "numbered",
    "validated",
]


class InputSerializer(serializers.Serializer):
    """A request body: a field the endpoint does not know is refused (400, naming the
    field) instead of silently ignored, so a misspelt field is never lost unnoticed."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(str(name) for name in set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {unknown[0]: [_("Okänt fält: %(name)s.") % {"name": unknown[0]}]},
                    code="unknown_field",
                )
        return super().to_internal_value(data)
