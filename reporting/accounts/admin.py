"""Written accounts in the Django admin, read only (they change only through
reporting.accounts.services; a submitted version is never edited)."""

from __future__ import annotations

from django.contrib import admin

from ..admin import ReadOnlyAdminMixin
from .models import (
    Account,
    AccountAnswer,
    AccountAttachment,
    AccountEvent,
    AccountVersion,
    RequirementAssessment,
)


class AccountVersionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AccountVersion
    fields = ("number", "status", "fulfilled", "submitted_by", "submitted_at", "decided_by")
    readonly_fields = fields
    extra = 0
    show_change_link = True


@admin.register(Account)
class AccountAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("region", "condition", "assessed_version", "created_at")
    list_filter = ("condition__agreement__year", "condition__code", "region")
    list_select_related = ("region", "condition__agreement", "assessed_version")
    inlines = [AccountVersionInline]


class AnswerInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = AccountAnswer
    fields = ("requirement", "text")
    readonly_fields = fields
    extra = 0


class AttachmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AccountAttachment
    fields = ("name", "kind", "size", "sha256", "uploaded_by", "uploaded_at")
    readonly_fields = fields
    extra = 0


class AssessmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = RequirementAssessment
    fields = ("requirement", "outcome", "comment", "assessed_by", "assessed_at")
    readonly_fields = fields
    extra = 0


@admin.register(AccountVersion)
class AccountVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("account", "number", "status", "fulfilled", "submitted_at", "decided_at")
    list_filter = ("status", "fulfilled", "account__condition__agreement__year")
    list_select_related = ("account__region", "account__condition__agreement")
    inlines = [AnswerInline, AttachmentInline, AssessmentInline]


@admin.register(AccountEvent)
class AccountEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "account", "action", "actor", "note")
    list_filter = ("action", "account__condition__agreement__year", "account__region")
    list_select_related = ("account__region", "account__condition__agreement", "actor")
