"""What an OPTIONS request to the API answers (its own module: DRF imports it while
its views are being imported)."""

from __future__ import annotations

from typing import Any

from rest_framework.metadata import SimpleMetadata


class ApiMetadata(SimpleMetadata):
    """OPTIONS: the endpoint's name, description and media types. The fields are in
    the OpenAPI schema; introspecting a view's serializer here gave a 500 on views
    that have no queryset (the draft endpoint)."""

    def determine_metadata(self, request: Any, view: Any) -> dict[str, Any]:
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
        }
