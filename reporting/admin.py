"""Django admin for reporting: the thresholds of the checks (editable), and reports,
versions, their events and the e-mails sent (read only: a report changes state only
through reporting.services, and a submitted version is never edited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import (
    ExtraCount,
    Report,
    ReportEvent,
    ReportVersion,
    SentNotification,
    SeriesCount,
    ValidationSettings,
    WarningExplanation,
)


class ReadOnlyAdminMixin:
    """Viewable in the admin, never added, changed or deleted there."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ValidationSettings)
class ValidationSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "deviation_percent",
        "deviation_min_base",
        "recent_quarters",
        "reminder_days",
        "max_upload_rows",
        "max_upload_bytes",
    )
    fieldsets = (
        (
            _("Varningar"),
            {"fields": ("deviation_percent", "deviation_min_base", "recent_quarters")},
        ),
        (_("Påminnelser"), {"fields": ("reminder_days",)}),
        (_("Uppladdade filer"), {"fields": ("max_upload_rows", "max_upload_bytes")}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One row; until it is saved the defaults apply.
        return not ValidationSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        """Straight to the one row (or to adding it)."""
        if ValidationSettings.objects.exists():
            return HttpResponseRedirect(
                reverse(
                    "admin:reporting_validationsettings_change",
                    args=[ValidationSettings.SINGLETON_PK],
                )
            )
        return HttpResponseRedirect(reverse("admin:reporting_validationsettings_add"))


class VersionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReportVersion
    fk_name = "report"
    extra = 0
    show_change_link = True
    fields = ("number", "status", "is_correction", "submitted_by", "submitted_at", "decided_by")
    readonly_fields = fields


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("region", "period", "accepted_version", "created_at")
    list_filter = ("period__agreement__year", "period__quarter", "region")
    search_fields = ("region__code", "region__name")
    list_select_related = (
        "region",
        "period__agreement",
        "accepted_version__report__period__agreement",
    )
    inlines = [VersionInline]


class SeriesInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SeriesCount
    extra = 0
    fields = ("treatment", "sex", "provider", "value")
    readonly_fields = fields


class ExtraInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ExtraCount
    extra = 0
    fields = ("kind", "sex", "value")
    readonly_fields = fields


class WarningInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = WarningExplanation
    extra = 0
    fields = ("code", "key", "message", "explanation")
    readonly_fields = fields


class EventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReportEvent
    fk_name = "version"
    extra = 0
    fields = ("action", "actor", "at", "note")
    readonly_fields = fields


@admin.register(ReportVersion)
class ReportVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "report",
        "number",
        "status",
        "is_correction",
        "submitted_at",
        "submitted_late",
        "decided_at",
    )
    list_filter = ("status", "is_correction", "report__period__agreement__year", "report__region")
    search_fields = ("report__region__code", "report__region__name")
    list_select_related = ("report__region", "report__period__agreement")
    inlines = [SeriesInline, ExtraInline, WarningInline, EventInline]


@admin.register(ReportEvent)
class ReportEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "report", "version_number", "action", "actor")
    list_filter = ("action", "report__period__agreement__year", "report__region")
    search_fields = ("report__region__name", "actor__username", "note")
    list_select_related = ("report__region", "report__period__agreement", "version", "actor")
    date_hierarchy = "at"

    @admin.display(description=_("version"), ordering="version__number")
    def version_number(self, obj: ReportEvent) -> int:
        return obj.version.number


@admin.register(SentNotification)
class SentNotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("sent_at", "kind", "recipient", "region", "period", "subject")
    list_filter = ("kind", "region")
    search_fields = ("recipient", "subject")
    list_select_related = ("region", "period__agreement")
    date_hierarchy = "sent_at"


# Written accounts register their own (read-only) admin.
from .accounts import admin as _accounts_admin  # noqa: E402, F401
