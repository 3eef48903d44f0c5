"""What the written-account endpoints read and write (reporting/api/accounts.py).
Serializers check only the shape of a request; the rules are the services'
(reporting.accounts.services), so the API and the browser refuse the same things."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rehab.api.base import InputSerializer

from ..accounts.models import (
    Account,
    AccountAttachment,
    AccountVersion,
    AssessmentOutcome,
    RequirementAssessment,
)
from ..accounts.selectors import AccountState
from ..models import TEXT_MAX_LENGTH

#: The longest answer to one requirement (as the browser's form).
ANSWER_MAX_LENGTH = 50_000


def username_field(field: str) -> serializers.CharField:
    """The user name of the user in `field` (null when nobody)."""
    return serializers.CharField(source=f"{field}.username", allow_null=True, read_only=True)


def _requirement_keys(value: dict[str, Any]) -> dict[int, Any]:
    """{"1": …} -> {1: …}; a key that is not a requirement's number is refused."""
    out: dict[int, Any] = {}
    for key, item in value.items():
        if not (str(key).isascii() and str(key).isdigit() and 1 <= int(key) <= 999):
            raise serializers.ValidationError(
                {str(key): [_("Ange kravets nummer, t.ex. ”1”.")]}, code="invalid_requirement"
            )
        out[int(key)] = item
    return out


# --------------------------------------------------------------------------- input


class AccountCreateSerializer(InputSerializer):
    region = serializers.RegexField(r"^[0-9]{2}$", help_text="Länskod, t.ex. ”01”.")
    year = serializers.IntegerField(min_value=1000, max_value=9999, help_text="T.ex. 2020.")
    condition = serializers.RegexField(
        r"^[A-Za-z0-9]{1,8}$", help_text="Villkorets kod, t.ex. ”V2”."
    )


class AnswersField(serializers.DictField):
    """{"<krav>": "svar"}: the answers to the condition's requirements."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            child=serializers.CharField(
                allow_blank=True, max_length=ANSWER_MAX_LENGTH, trim_whitespace=False
            ),
            **kwargs,
        )

    def to_internal_value(self, data: Any) -> dict[int, str]:
        return _requirement_keys(super().to_internal_value(data))


class DraftAnswersSerializer(InputSerializer):
    lock_version = serializers.IntegerField(
        min_value=0, help_text="Utkastets lock_version som du läste det; annars 409 stale_draft."
    )
    answers = AnswersField(
        help_text=(
            "Svar per krav, med kravets nummer som nyckel: {”1”: ”…”, ”2”: ”…”}. Ren text "
            "med stycken (ingen HTML). Krav som inte skickas lämnas som de var."
        )
    )


class AccountSubmitSerializer(InputSerializer):
    lock_version = serializers.IntegerField(min_value=0)
    answers = AnswersField(
        required=False, help_text="Sparas före inskickningen (som PUT …/draft/)."
    )
    late_explanation = serializers.CharField(
        allow_blank=True,
        required=False,
        default="",
        max_length=TEXT_MAX_LENGTH,
        help_text="Krävs när redovisningen skickas in efter villkorets sista dag.",
    )


class DecisionSerializer(InputSerializer):
    outcome = serializers.ChoiceField(choices=AssessmentOutcome.choices)
    comment = serializers.CharField(
        allow_blank=True,
        required=False,
        default="",
        max_length=TEXT_MAX_LENGTH,
        help_text="Motivering (krävs för NOT_FULFILLED) eller vad som ska kompletteras "
        "(krävs för RETURNED).",
    )


class DecisionsField(serializers.DictField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=DecisionSerializer(), **kwargs)

    def to_internal_value(self, data: Any) -> dict[int, Any]:
        return _requirement_keys(super().to_internal_value(data))


class AssessSerializer(InputSerializer):
    version = serializers.IntegerField(
        min_value=1, help_text="Numret på den inskickade version du har bedömt."
    )
    decisions = DecisionsField(
        help_text=(
            "En bedömning per krav, med kravets nummer som nyckel: "
            "{”1”: {”outcome”: ”FULFILLED”}, ”2”: {”outcome”: ”RETURNED”, ”comment”: ”…”}}."
        )
    )


# --------------------------------------------------------------------------- output


class RequirementSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    text = serializers.CharField()


class AttachmentSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.number")
    uploaded_by = username_field("uploaded_by")
    download = serializers.SerializerMethodField(help_text="Adressen där filen hämtas.")

    class Meta:
        model = AccountAttachment
        fields = [
            "id",
            "version",
            "name",
            "kind",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "download",
        ]

    def get_download(self, obj: AccountAttachment) -> str:
        return reverse("api:account-attachment", args=(obj.version.account_id, obj.pk))


class AssessmentSerializer(serializers.ModelSerializer):
    requirement = serializers.IntegerField(source="requirement.number")
    assessed_by = username_field("assessed_by")

    class Meta:
        model = RequirementAssessment
        fields = ["requirement", "outcome", "comment", "assessed_by", "assessed_at"]


class AccountVersionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = AccountVersion
        fields = [
            "number",
            "status",
            "fulfilled",
            "lock_version",
            "created_at",
            "submitted_at",
            "decided_at",
        ]


class AccountVersionSerializer(serializers.ModelSerializer):
    account = serializers.IntegerField(source="account_id")
    created_by = username_field("created_by")
    updated_by = username_field("updated_by")
    submitted_by = username_field("submitted_by")
    decided_by = username_field("decided_by")
    answers = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True)
    assessments = AssessmentSerializer(many=True)

    class Meta:
        model = AccountVersion
        fields = [
            "account",
            "number",
            "status",
            "fulfilled",
            "lock_version",
            "created_by",
            "created_at",
            "updated_by",
            "updated_at",
            "submitted_by",
            "submitted_at",
            "submitted_late",
            "late_explanation",
            "decided_by",
            "decided_at",
            "answers",
            "attachments",
            "assessments",
        ]

    @extend_schema_field(
        serializers.DictField(child=serializers.CharField(), help_text="Svar per kravnummer.")
    )
    def get_answers(self, obj: AccountVersion) -> dict[str, str]:
        return {
            str(a.requirement.number): a.text
            for a in sorted(obj.answers.all(), key=lambda a: a.requirement.number)
        }


class AccountSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name")
    year = serializers.IntegerField(source="condition.agreement.year")
    condition = serializers.CharField(source="condition.code", help_text="T.ex. ”V2”.")
    condition_title = serializers.CharField(source="condition.title")
    report_deadline = serializers.DateField(source="condition.report_deadline", allow_null=True)
    state = serializers.ChoiceField(
        choices=AccountState.choices, help_text="Samma läge som årsöversikten visar."
    )
    latest_version = serializers.SerializerMethodField()
    assessed_version = serializers.IntegerField(
        source="assessed_version.number",
        allow_null=True,
        help_text="Numret på den bedömda versionen, eller null.",
    )
    fulfilled = serializers.BooleanField(
        source="assessed_version.fulfilled",
        allow_null=True,
        help_text="Villkoret uppfyllt enligt bedömningen (null innan bedömning).",
    )

    class Meta:
        model = Account
        fields = [
            "id",
            "region",
            "region_name",
            "year",
            "condition",
            "condition_title",
            "report_deadline",
            "state",
            "latest_version",
            "assessed_version",
            "fulfilled",
            "created_at",
        ]

    @extend_schema_field(AccountVersionSummarySerializer(allow_null=True))
    def get_latest_version(self, obj: Account) -> dict[str, Any] | None:
        versions = obj.visible  # type: ignore[attr-defined]
        return AccountVersionSummarySerializer(versions[-1]).data if versions else None


class AccountDetailSerializer(AccountSerializer):
    requirements = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()

    class Meta(AccountSerializer.Meta):
        fields = [*AccountSerializer.Meta.fields, "requirements", "versions"]

    @extend_schema_field(RequirementSerializer(many=True))
    def get_requirements(self, obj: Account) -> list[dict[str, Any]]:
        return RequirementSerializer(obj.condition.requirements.order_by("number"), many=True).data

    @extend_schema_field(AccountVersionSummarySerializer(many=True))
    def get_versions(self, obj: Account) -> list[dict[str, Any]]:
        return AccountVersionSummarySerializer(obj.visible, many=True).data  # type: ignore[attr-defined]
