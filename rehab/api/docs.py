"""/api/v1/docs/: the API's documentation, rendered on the server from the same
OpenAPI schema that /api/v1/schema/ serves.

Why not Swagger UI or Redoc: they load JavaScript and CSS from a CDN (forbidden on
FK's closed network) and, even vendored, need inline styles that the strict CSP
refuses. A server-rendered page needs neither, works without JavaScript and keeps
the one Content-Security-Policy of the whole site."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import patched_settings

from .errors import error_body
from .schema import SCHEMA_SETTINGS

METHODS = ("get", "post", "put", "patch", "delete")


def openapi_schema() -> dict[str, Any]:
    with patched_settings(SCHEMA_SETTINGS):
        return SchemaGenerator().get_schema(request=None, public=True)


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def type_text(schema: dict[str, Any]) -> tuple[str, str]:
    """A short type for a table cell and the component it refers to ("" if none)."""
    if "$ref" in schema:
        name = _ref_name(schema["$ref"])
        return name, name
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return type_text(schema["allOf"][0])
    if "oneOf" in schema or "anyOf" in schema:
        options = [type_text(s) for s in schema.get("oneOf", schema.get("anyOf", []))]
        refs = [ref for _text, ref in options if ref]
        return " | ".join(text for text, _ref in options), refs[0] if refs else ""
    kind = schema.get("type", "object")
    if kind == "array":
        text, ref = type_text(schema.get("items", {}))
        return f"[{text}]", ref
    if kind == "object" and "additionalProperties" in schema:
        value = schema["additionalProperties"]
        text, ref = type_text(value) if isinstance(value, dict) else ("any", "")
        return f"{{nyckel: {text}}}", ref
    text = str(kind)
    if "format" in schema:
        text += f" ({schema['format']})"
    if "enum" in schema:
        text += ": " + ", ".join(str(v) for v in schema["enum"] if v is not None)
    if "pattern" in schema:
        text += f" /{schema['pattern']}/"
    return text, ""


@dataclass
class Row:
    name: str
    type: str
    ref: str
    required: bool
    notes: list[str] = field(default_factory=list)
    description: str = ""


@dataclass
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    description: str
    parameters: list[Row]
    request: list[tuple[str, str]]  # (type text, ref)
    responses: list[tuple[str, str, str, str]]  # (code, description, type text, ref)


@dataclass
class Component:
    name: str
    description: str
    rows: list[Row]
    enum: list[str]


def _property_rows(schema: dict[str, Any]) -> list[Row]:
    required = set(schema.get("required", []))
    rows = []
    for name, prop in schema.get("properties", {}).items():
        text, ref = type_text(prop)
        notes = []
        if prop.get("nullable"):
            notes.append("kan vara null")
        if prop.get("readOnly"):
            notes.append("bara i svar")
        for bound, label in (("minimum", "minst"), ("maximum", "högst"), ("maxLength", "högst")):
            if bound in prop:
                notes.append(f"{label} {prop[bound]}")
        rows.append(Row(name, text, ref, name in required, notes, str(prop.get("description", ""))))
    return rows


def build(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema as plain lists for the template: operations by tag, and components."""
    by_tag: dict[str, list[Operation]] = {}
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            parameters = []
            for param in op.get("parameters", []):
                text, ref = type_text(param.get("schema", {}))
                parameters.append(
                    Row(
                        param["name"],
                        text,
                        ref,
                        bool(param.get("required")),
                        [param.get("in", "")],
                        str(param.get("description", "")),
                    )
                )
            request = [
                type_text(media["schema"])
                for media in op.get("requestBody", {}).get("content", {}).values()
                if "schema" in media
            ][:1]
            responses = []
            for code, response in op.get("responses", {}).items():
                content = response.get("content", {})
                text, ref = ("", "")
                for media in content.values():
                    text, ref = type_text(media.get("schema", {}))
                    break
                responses.append((code, str(response.get("description", "")), text, ref))
            tag = (op.get("tags") or ["API"])[0]
            by_tag.setdefault(tag, []).append(
                Operation(
                    method=method.upper(),
                    path=path,
                    anchor=op.get("operationId", f"{method}-{path}"),
                    summary=str(op.get("summary", "")),
                    description=str(op.get("description", "")),
                    parameters=parameters,
                    request=request,
                    responses=responses,
                )
            )
    components = [
        Component(
            name=name,
            description=str(comp.get("description", "")),
            rows=_property_rows(comp),
            enum=[str(v) for v in comp.get("enum", []) if v is not None],
        )
        for name, comp in sorted(schema.get("components", {}).get("schemas", {}).items())
    ]
    return {
        "info": schema.get("info", {}),
        "tags": sorted(by_tag.items()),
        "components": components,
        "security": sorted(schema.get("components", {}).get("securitySchemes", {})),
    }


def docs(request: HttpRequest) -> HttpResponse:
    """The documentation page (open to everyone, like the schema itself)."""
    return render(request, "api/docs.html", build(openapi_schema()))


@csrf_exempt  # a POST to an unknown path is a 404, whatever its cookies
def not_found(request: HttpRequest) -> JsonResponse:
    """An unknown path under /api/v1/ (e.g. a year that is not a number)."""
    return JsonResponse(
        error_body("not_found", _("Finns inte, eller hör inte till dina regioner.")), status=404
    )
