"""Django admin for the shared domain: regions, population figures, the
catalogue, agreements with their periods and rates, users and roles."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from rehab.formatting import format_kronor
from rehab.forms import kronor_formfield

from .enums import ConditionKind
from .models import (
    Agreement,
    AgreementTreatment,
    ApiToken,
    CareUnit,
    Condition,
    ConditionRequirement,
    IdempotencyRecord,
    PopulationFigure,
    Region,
    ReportingPeriod,
    Treatment,
    UnitCollection,
    User,
    WorkerHeartbeat,
)
from .selectors import agreement_in_use, condition_in_use


class LabelledInlineMixin:
    """A tabular inline shows its labels only as column headings: each input gets
    its field's label as `aria-label`, so a screen reader names it (WCAG 1.3.1, 4.1.2)."""

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        if formfield is not None and formfield.label:
            formfield.widget.attrs.setdefault("aria-label", str(formfield.label))
            # A related field's widget is wrapped (the add/change links): label the select.
            inner = getattr(formfield.widget, "widget", None)
            if inner is not None:
                inner.attrs.setdefault("aria-label", str(formfield.label))
        return formfield


class PopulationInline(LabelledInlineMixin, admin.TabularInline):
    model = PopulationFigure
    extra = 0
    fields = ("reference_date", "age_band", "population", "source")
    ordering = ("-reference_date", "age_band")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "bankgiro", "active")
    list_filter = ("active",)
    search_fields = ("code", "name")
    inlines = [PopulationInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Region | None = None) -> Any:
        # The län code is the key every report and payout refers to.
        return ("code",) if obj else ()


@admin.register(PopulationFigure)
class PopulationFigureAdmin(admin.ModelAdmin):
    list_display = ("region", "reference_date", "age_band", "population_display", "source")
    list_filter = ("reference_date", "age_band", "region")
    search_fields = ("region__name", "region__code", "source")
    list_select_related = ("region",)
    date_hierarchy = "reference_date"

    @admin.display(description=_("antal invånare"), ordering="population")
    def population_display(self, obj: PopulationFigure) -> str:
        from rehab.formatting import format_int

        return format_int(obj.population)


@admin.register(Treatment)
class TreatmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "area", "sort_order")
    list_filter = ("area",)
    search_fields = ("code", "name", "name_en")

    def get_readonly_fields(self, request: HttpRequest, obj: Treatment | None = None) -> Any:
        return ("code",) if obj else ()


KRONOR_SUFFIX = "_kr"


class KronorAdminMixin:
    """Amounts in öre are shown and typed in kronor: an editable ``*_ore`` field is a
    KronorField, and a frozen one (read-only, or an inline the user may not change) is
    shown through ``<name>_kr``, the amount in kronor, instead of the stored öre."""

    model: Any

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name.endswith("_ore"):
            return kronor_formfield(db_field)
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]

    def __getattr__(self, name: str) -> Any:
        if not name.endswith("_ore" + KRONOR_SUFFIX) or self.model is None:
            raise AttributeError(name)
        field = self.model._meta.get_field(name.removesuffix(KRONOR_SUFFIX))
        label = str(field.verbose_name).replace("(öre)", "").strip()

        def show(obj: Any) -> str:
            return f"{format_kronor(getattr(obj, field.name))}\u00a0kr" if obj else ""

        show.short_description = f"{label} (kr)"  # type: ignore[attr-defined]
        return show

    def _frozen_money(self, request: HttpRequest, obj: Any, names: Any) -> list[str]:
        return [f"{n}{KRONOR_SUFFIX}" if str(n).endswith("_ore") else n for n in names]

    def frozen_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """The read-only fields by their model names (a subclass overrides this, not
        get_readonly_fields, which shows the frozen amounts in kronor)."""
        return super().get_readonly_fields(request, obj)  # type: ignore[misc]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        names = list(self.frozen_fields(request, obj))
        if isinstance(self, admin.options.InlineModelAdmin) and not self.has_change_permission(
            request, obj
        ):
            # Django shows every field of an inline the user may not change as text.
            names += [n for n in (self.fields or ()) if str(n).endswith("_ore")]
        return self._frozen_money(request, obj, dict.fromkeys(names))

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        frozen = set(self.get_readonly_fields(request, obj))
        return [
            (
                title,
                {
                    **options,
                    "fields": [
                        f"{f}{KRONOR_SUFFIX}" if f"{f}{KRONOR_SUFFIX}" in frozen else f
                        for f in options["fields"]
                    ],
                },
            )
            for title, options in super().get_fieldsets(request, obj)  # type: ignore[misc]
        ]


class AgreementTreatmentInline(LabelledInlineMixin, KronorAdminMixin, admin.TabularInline):
    model = AgreementTreatment
    extra = 0
    fields = ("treatment", "rate_ore")
    autocomplete_fields = ("treatment",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not (obj and agreement_in_use(obj)) and super().has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not (obj and agreement_in_use(obj)) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not (obj and agreement_in_use(obj)) and super().has_delete_permission(request, obj)


class ReportingPeriodInline(LabelledInlineMixin, admin.TabularInline):
    model = ReportingPeriod
    extra = 0
    fields = (
        "condition",
        "quarter",
        "start_date",
        "end_date",
        "opens_on",
        "deadline",
        "is_closed",
    )
    ordering = ("quarter",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not (obj and agreement_in_use(obj)) and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Once reports exist, only the deadline and whether the period is closed may change.
        if obj and agreement_in_use(obj):
            return ("condition", "quarter", "start_date", "end_date")
        return ()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "condition":
            kwargs["queryset"] = Condition.objects.filter(kind=ConditionKind.TREATMENTS)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ConditionInline(KronorAdminMixin, admin.TabularInline):
    """The agreement's conditions at a glance; each one is edited on its own page."""

    model = Condition
    extra = 0
    fields = ("code", "title", "kind", "amount_ore", "frequency", "verified")
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Fields that decide money: frozen once a report or a run refers to the agreement.
MONEY_FIELDS = (
    "year",
    "payout_model",
    "frame_ore",
    "addon_per_series_ore",
    "contact_bonus_per_contact_ore",
    "contact_bonus_cap_ore",
    "population_reference_date",
    "population_age_band",
)


@admin.register(Agreement)
class AgreementAdmin(KronorAdminMixin, admin.ModelAdmin):
    list_display = ("year", "name", "payout_model", "frame_display", "diary_number", "asks_video")
    list_filter = ("payout_model", "asks_video")
    search_fields = ("name", "diary_number", "year")
    inlines = [ConditionInline, ReportingPeriodInline, AgreementTreatmentInline]
    fieldsets = (
        (None, {"fields": ("year", "name", "diary_number", "payout_model")}),
        (
            _("Pengar (i kronor)"),
            {
                "fields": (
                    "frame_ore",
                    "research_ore",
                    "addon_per_series_ore",
                    "contact_bonus_per_contact_ore",
                    "contact_bonus_cap_ore",
                    "payment_due",
                )
            },
        ),
        (
            _("Befolkning"),
            {"fields": ("population_reference_date", "population_age_band", "statistics_age_band")},
        ),
        (_("Rapportering"), {"fields": ("asks_video",)}),
        (_("Beslut"), {"fields": ("decision_contact",)}),
    )

    @admin.display(description=_("ram (kr)"), ordering="frame_ore")
    def frame_display(self, obj: Agreement) -> str:
        return format_kronor(obj.frame_ore)

    def frozen_fields(self, request: HttpRequest, obj: Agreement | None = None) -> Any:
        if obj and agreement_in_use(obj):
            return MONEY_FIELDS
        return ()

    def has_delete_permission(self, request: HttpRequest, obj: Agreement | None = None) -> bool:
        return not (obj and agreement_in_use(obj)) and super().has_delete_permission(request, obj)


# Fields of a condition that decide money or the shape of reports: frozen once in use.
CONDITION_MONEY_FIELDS = (
    "agreement",
    "code",
    "kind",
    "amount_ore",
    "frequency",
    "population_reference_date",
    "population_age_band",
    "advance_share",
)


class ConditionRequirementInline(admin.TabularInline):
    model = ConditionRequirement
    extra = 0
    fields = ("number", "text")
    ordering = ("number",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not (obj and condition_in_use(obj)) and super().has_delete_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not (obj and condition_in_use(obj)) and super().has_add_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("number",) if obj and condition_in_use(obj) else ()


@admin.register(Condition)
class ConditionAdmin(KronorAdminMixin, admin.ModelAdmin):
    """Conditions (villkor) of the agreements. Figures loaded as plausible guesses are
    unverified until an administrator has checked them against the agreement."""

    list_display = (
        "agreement_year",
        "code",
        "title",
        "kind",
        "amount_display",
        "frequency",
        "report_deadline",
        "payment_due",
        "verified",
    )
    list_filter = (
        ("verified", admin.BooleanFieldListFilter),
        "kind",
        "frequency",
        "agreement__year",
    )
    search_fields = ("code", "title", "source", "agreement__year")
    list_select_related = ("agreement",)
    inlines = [ConditionRequirementInline]
    fieldsets = (
        (None, {"fields": ("agreement", "code", "title", "kind", "sort_order")}),
        (
            _("Pengar (i kronor)"),
            {
                "fields": (
                    "amount_ore",
                    "population_reference_date",
                    "population_age_band",
                    "advance_share",
                    "advance_payment_due",
                )
            },
        ),
        (
            _("Rapportering och utbetalning"),
            {"fields": ("frequency", "report_deadline", "payment_due")},
        ),
        (_("Källa"), {"fields": ("source", "verified")}),
    )

    @admin.display(description=_("år"), ordering="agreement__year")
    def agreement_year(self, obj: Condition) -> int:
        return obj.agreement.year

    @admin.display(description=_("medel till regionerna (kr)"), ordering="amount_ore")
    def amount_display(self, obj: Condition) -> str:
        return format_kronor(obj.amount_ore)

    def frozen_fields(self, request: HttpRequest, obj: Condition | None = None) -> Any:
        if obj and condition_in_use(obj):
            return CONDITION_MONEY_FIELDS
        return ()

    def has_delete_permission(self, request: HttpRequest, obj: Condition | None = None) -> bool:
        return not (obj and condition_in_use(obj)) and super().has_delete_permission(request, obj)


class _ServiceUserFormMixin:
    """A service user never has a password (also a CHECK in the database): saving a
    user as a service user removes the password; creating one with a password is refused."""

    cleaned_data: dict[str, Any]
    instance: User

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        if cleaned.get("is_service_user") and str(cleaned.get("usable_password")) == "true":
            raise ValidationError(
                {
                    "is_service_user": _(
                        "En tjänsteanvändare har inget lösenord: stäng av lösenordsinloggning."
                    )
                }
            )
        return cleaned

    def _post_clean(self) -> None:
        if self.cleaned_data.get("is_service_user"):
            self.instance.set_unusable_password()
            if "password" in self.cleaned_data:
                self.cleaned_data["password"] = self.instance.password
        super()._post_clean()  # type: ignore[misc]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (
        "username",
        "get_full_name",
        "email",
        "role",
        "region",
        "is_active",
        "has_mfa",
        "last_login",
    )
    list_filter = ("role", "region", "is_service_user", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "email", "hsa_id")
    list_select_related = ("region",)
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (
            _("Roll i Rehab"),
            {"fields": ("role", "region", "care_unit", "is_service_user", "hsa_id")},
        ),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (
            _("Roll i Rehab"),
            {
                "fields": (
                    "email",
                    "first_name",
                    "last_name",
                    "role",
                    "region",
                    "care_unit",
                    "is_service_user",
                    "hsa_id",
                )
            },
        ),
    )
    autocomplete_fields = ("care_unit",)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type("ServiceUserAware" + form.__name__, (_ServiceUserFormMixin, form), {})

    def get_queryset(self, request: HttpRequest) -> Any:
        from django.db.models import Exists, OuterRef
        from django_otp.plugins.otp_totp.models import TOTPDevice

        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(mfa=Exists(confirmed))

    @admin.display(description=_("tvåstegsverifiering"), boolean=True, ordering="mfa")
    def has_mfa(self, obj: User) -> bool:
        return bool(getattr(obj, "mfa", False))


@admin.register(CareUnit)
class CareUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "hsa_id", "provider", "active_from", "active_to")
    list_filter = ("region", "provider")
    search_fields = ("name", "hsa_id", "region__name")
    list_select_related = ("region",)


@admin.register(UnitCollection)
class UnitCollectionAdmin(admin.ModelAdmin):
    list_display = ("region", "agreement", "per_unit")
    list_filter = ("per_unit", "agreement")
    list_select_related = ("region", "agreement")


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("hostname", "seen_at", "beats")
    readonly_fields = ("hostname", "seen_at", "beats")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """API keys for regions' and FK's systems. The secret is shown once, in a message
    after saving; only its SHA-256 is stored. Revoke instead of deleting, so it stays
    visible who had which key and when it was last used."""

    list_display = (
        "name",
        "user",
        "role_display",
        "region_display",
        "prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "user__role", "user__region")
    search_fields = ("name", "user__username", "prefix")
    list_select_related = ("user", "user__region")
    autocomplete_fields = ("user",)
    actions = ["revoke"]

    @admin.display(description=_("roll"))
    def role_display(self, obj: ApiToken) -> str:
        return obj.user.get_role_display()

    @admin.display(description=_("region"))
    def region_display(self, obj: ApiToken) -> str:
        return str(obj.user.region or "–")

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        if obj is None:
            return ("name", "user")
        return (
            "name",
            "user",
            "prefix",
            "created_at",
            "created_by",
            "last_used_at",
            "revoked_at",
            "revoked_by",
        )

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        if obj is None:
            return ()
        return (
            "user",
            "prefix",
            "created_at",
            "created_by",
            "last_used_at",
            "revoked_at",
            "revoked_by",
        )

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        from django.contrib import messages

        from rehab.api.tokens import new_secret

        if change:
            super().save_model(request, obj, form, change)
            return
        secret, obj.prefix, obj.key_hash = new_secret()
        obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
        messages.warning(
            request,
            _(
                "API-nyckeln för ”%(name)s”: %(secret)s — kopiera den nu. Den visas bara "
                "denna gång; bara en kontrollsumma sparas."
            )
            % {"name": obj.name, "secret": secret},
        )

    @admin.action(description=_("Återkalla valda API-nycklar"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        from django.contrib import messages

        from rehab.api.tokens import api_token_revoke

        for token in queryset:
            api_token_revoke(token=token, acting_user=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Nycklarna är återkallade och ger nu 401."))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    """Read-only: which POSTs were sent with an Idempotency-Key, for support."""

    list_display = ("created_at", "user", "method", "path", "key", "status_code")
    list_filter = ("method", "status_code")
    search_fields = ("key", "path", "user__username")
    list_select_related = ("user",)
    fields = ("created_at", "user", "method", "path", "key", "request_hash", "status_code")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # What a key was used for is evidence: the admin never deletes it.
        return False
