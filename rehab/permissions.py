"""The one place that answers "may this user do X to this region's Y".

Every view, API endpoint, service and query that touches a region's data goes
through `can()` (a yes/no for one region) or `scope()` (the regions a user may
read, for filtering querysets). Rules, from the spec's role table:

| action            | coordinator | region viewer | case officer | approver | admin |
|-------------------|-------------|---------------|--------------|----------|-------|
| view reports      | own region  | own region    | all          | all      | all   |
| edit reports      | own region  | –             | –            | –        | –     |
| review reports    | –           | –             | all          | –        | –     |
| import accepted   | –           | –             | all          | all      | all   |
| view payouts      | own region  | own region    | all          | all      | all   |
| start payout run  | –           | –             | yes          | –        | –     |
| approve payout run| –           | –             | –            | yes      | –     |
| export payout run | –           | –             | yes          | yes      | –     |
| view statistics   | yes         | yes           | yes          | yes      | yes   |
| administer        | –           | –             | –            | –        | yes   |

FK users read every region but never type a region's figures.

Care units (`can_unit()`, `units_scoped()`, `require_unit()`): the region's
coordinator keeps its units and may enter any unit's figures; an enhetsrapportör
(unit reporter) sees and enters only its own unit's figures and allotment, and
none of the region's reports or payouts (other units do not exist for it: 404);
region viewers and FK read every unit of the regions they may read.

| unit action        | coordinator | viewer | unit reporter | case officer | approver | admin |
|--------------------|-------------|--------|---------------|--------------|----------|-------|
| view unit          | own region  | own r. | own unit      | all          | all      | all   |
| edit unit figures  | own region  | –      | own unit      | –            | –        | –     |
| manage units       | own region  | –      | –             | –            | –        | all   |
| record use of money| own region  | –      | –             | –            | –        | –     |
"""

from __future__ import annotations

import enum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from .enums import Role
from .models import CareUnit, Region


class Action(enum.StrEnum):
    VIEW_REPORTS = "view_reports"
    EDIT_REPORTS = "edit_reports"
    REVIEW_REPORTS = "review_reports"
    IMPORT_ACCEPTED = "import_accepted"
    VIEW_PAYOUTS = "view_payouts"
    START_RUN = "start_run"
    APPROVE_RUN = "approve_run"
    EXPORT_RUN = "export_run"
    VIEW_STATISTICS = "view_statistics"
    ADMINISTER = "administer"
    VIEW_UNIT = "view_unit"
    EDIT_UNIT_FIGURES = "edit_unit_figures"
    MANAGE_UNITS = "manage_units"
    RECORD_FUNDS_USE = "record_funds_use"


# Which roles may do what, and whether only to their own region.
_OWN_REGION = {
    Action.VIEW_REPORTS: {Role.REGION_COORDINATOR, Role.REGION_VIEWER},
    Action.EDIT_REPORTS: {Role.REGION_COORDINATOR},
    Action.VIEW_PAYOUTS: {Role.REGION_COORDINATOR, Role.REGION_VIEWER},
    Action.VIEW_UNIT: {Role.REGION_COORDINATOR, Role.REGION_VIEWER},
    Action.EDIT_UNIT_FIGURES: {Role.REGION_COORDINATOR},
    Action.MANAGE_UNITS: {Role.REGION_COORDINATOR},
    Action.RECORD_FUNDS_USE: {Role.REGION_COORDINATOR},
}
# Roles that may do these to their own care unit only.
_OWN_UNIT = {
    Action.VIEW_UNIT: {Role.UNIT_REPORTER},
    Action.EDIT_UNIT_FIGURES: {Role.UNIT_REPORTER},
}
_ANY_REGION = {
    Action.VIEW_REPORTS: {Role.FK_CASE_OFFICER, Role.FK_APPROVER, Role.ADMINISTRATOR},
    Action.REVIEW_REPORTS: {Role.FK_CASE_OFFICER},
    Action.IMPORT_ACCEPTED: {Role.FK_CASE_OFFICER, Role.FK_APPROVER, Role.ADMINISTRATOR},
    Action.VIEW_PAYOUTS: {Role.FK_CASE_OFFICER, Role.FK_APPROVER, Role.ADMINISTRATOR},
    Action.START_RUN: {Role.FK_CASE_OFFICER},
    Action.APPROVE_RUN: {Role.FK_APPROVER},
    Action.EXPORT_RUN: {Role.FK_CASE_OFFICER, Role.FK_APPROVER},
    Action.VIEW_STATISTICS: set(Role),
    Action.ADMINISTER: {Role.ADMINISTRATOR},
    Action.VIEW_UNIT: {Role.FK_CASE_OFFICER, Role.FK_APPROVER, Role.ADMINISTRATOR},
    Action.MANAGE_UNITS: {Role.ADMINISTRATOR},
}


def role_of(user: Any) -> str | None:
    """The user's effective role; a superuser counts as an administrator."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser and not user.role:
        return Role.ADMINISTRATOR
    return user.role or None


def can(user: Any, action: Action, region: Region | str | None = None) -> bool:
    """May `user` do `action` to `region`'s data? Without a region: to some region at all."""
    role = role_of(user)
    if role is None:
        return False
    if role in _ANY_REGION.get(action, set()):
        return True
    if role in _OWN_REGION.get(action, set()):
        if region is None:
            return True
        code = region.code if isinstance(region, Region) else region
        return user.region_id == code
    return False


def scope(user: Any, action: Action = Action.VIEW_REPORTS) -> QuerySet[Region]:
    """The regions whose data `user` may `action`, for filtering querysets."""
    role = role_of(user)
    if role is None:
        return Region.objects.none()
    if role in _ANY_REGION.get(action, set()):
        return Region.objects.all()
    if role in _OWN_REGION.get(action, set()):
        return Region.objects.filter(code=user.region_id)
    return Region.objects.none()


def scoped(
    queryset: QuerySet[Any], user: Any, action: Action, *, field: str = "region"
) -> QuerySet[Any]:
    """`queryset` narrowed to rows of the regions `user` may `action` (`field` names the
    lookup to the region's code, e.g. "report__region")."""
    role = role_of(user)
    if role is not None and role in _ANY_REGION.get(action, set()):
        return queryset
    if role is not None and role in _OWN_REGION.get(action, set()):
        return queryset.filter(**{field: user.region_id})
    return queryset.none()


def require(user: Any, action: Action, region: Region | str | None = None) -> None:
    """404 unless `user` may `action` to `region` (404, not 403: other regions'
    data does not exist for them)."""
    if not can(user, action, region):
        raise Http404


def _page_is_for(action: Action) -> str:
    """Who a page for `action` is for, as the 403 page says it."""
    who = {
        Action.EDIT_REPORTS: _("regionernas samordnare"),
        Action.REVIEW_REPORTS: _("Försäkringskassans handläggare"),
        Action.START_RUN: _("Försäkringskassans handläggare"),
        Action.APPROVE_RUN: _("Försäkringskassans attestanter"),
        Action.EXPORT_RUN: _("Försäkringskassans handläggare och attestanter"),
        Action.VIEW_PAYOUTS: _("Försäkringskassan och administratörer"),
        Action.ADMINISTER: _("administratörer"),
    }.get(action)
    return who or _("andra roller")


def role_denied(user: Any, who: str) -> PermissionDenied:
    """403 with the reason: whom the page is for and the user's own role."""
    from .enums import Role

    role = role_of(user)
    label = str(Role(role).label) if role else _("en användare utan roll")
    role_name = label[:1].lower() + label[1:]  # "handläggare på Försäkringskassan"
    return PermissionDenied(
        _("Sidan är för %(who)s. Du är inloggad som %(role)s.") % {"who": who, "role": role_name}
    )


def require_role(user: Any, action: Action) -> None:
    """403 with a sentence saying why when the user's role may not do `action` in any
    region (a page that is not for that role); a role that may, but not to this
    region's data, still gets 404 from :func:`require` (other regions' data does
    not exist for it)."""
    if role_of(user) is not None and not can(user, action):
        raise role_denied(user, _page_is_for(action))


def can_unit(user: Any, action: Action, unit: CareUnit) -> bool:
    """May `user` do `action` to this care unit (its figures, page, allotment)?"""
    role = role_of(user)
    if role is None:
        return False
    if role in _OWN_UNIT.get(action, set()):
        return user.care_unit_id == unit.pk
    return can(user, action, unit.region_id)


def require_unit(user: Any, action: Action, unit: CareUnit) -> None:
    """404 unless `user` may `action` to `unit` (other units do not exist for them)."""
    if not can_unit(user, action, unit):
        raise Http404


def units_scoped(
    queryset: QuerySet[Any], user: Any, action: Action = Action.VIEW_UNIT, *, field: str = ""
) -> QuerySet[Any]:
    """`queryset` (of care units, or of rows with a unit at `field`, e.g. "unit")
    narrowed to the units `user` may `action`."""
    role = role_of(user)
    prefix = f"{field}__" if field else ""
    if role is not None and role in _OWN_UNIT.get(action, set()):
        return queryset.filter(**{f"{prefix}pk": user.care_unit_id})
    return scoped(queryset, user, action, field=f"{prefix}region")
