"""Django admin for payments: runs, their lines and exports, read only (runs change
only through the services, and an approved run never changes)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from rehab.admin import KronorAdminMixin
from rehab.formatting import format_kronor

from .models import PayoutExport, PayoutLine, PayoutRun, RunEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LineInline(KronorAdminMixin, admin.TabularInline):
    model = PayoutLine
    fields = (
        "region",
        "amount_ore",
        "ceiling_ore",
        "earned_ore",
        "entitled_ore",
        "already_paid_ore",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = RunEvent
    fields = ("at", "action", "actor", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PayoutRun)
class PayoutRunAdmin(ReadOnlyAdmin):
    list_display = ("pk", "agreement", "kind", "quarter", "round", "status", "total", "started_by")
    list_filter = ("status", "kind", "agreement")
    list_select_related = ("agreement", "started_by")
    inlines = [LineInline, EventInline]

    @admin.display(description=_("att betala (kr)"), ordering="total_ore")
    def total(self, obj: PayoutRun) -> str:
        return format_kronor(obj.total_ore)


@admin.register(PayoutExport)
class PayoutExportAdmin(ReadOnlyAdmin):
    list_display = ("filename", "kind", "run", "region", "created_by", "created_at", "sha256")
    list_filter = ("kind",)
    list_select_related = ("run__agreement", "region", "created_by")
    exclude = ("content",)
