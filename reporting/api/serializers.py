"""What the report endpoints read and write. Serializers check only the shape of a
request (types, known choices, no duplicate cells); the rules of a report are the
services' (reporting.services, reporting.validation), so the API and the browser
refuse the same things with the same codes."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rehab.api.base import InputSerializer

from ..enums import ExtraKind, Provider, ReportState, Sex
from ..figures import Figures
from ..models import TEXT_MAX_LENGTH, Report, ReportVersion, WarningExplanation

MAX_CELL_VALUE = 2_147_483_647  # the database column's limit (as the browser form's)


def _username(user: Any) -> str | None:
    return user.username if user is not None else None


# --------------------------------------------------------------------------- figures


class SeriesCellSerializer(InputSerializer):
    treatment = serializers.CharField(max_length=12, help_text="Behandlingens kod, t.ex. ”KBT”.")
    sex = serializers.ChoiceField(choices=Sex.choices)
    provider = serializers.ChoiceField(choices=Provider.choices)
    value = serializers.IntegerField(
        min_value=-MAX_CELL_VALUE,
        max_value=MAX_CELL_VALUE,
        help_text="Antal genomförda behandlingar (ett heltal ≥ 0; annat ger 422 ”negative”).",
    )


class ExtraCellSerializer(InputSerializer):
    kind = serializers.ChoiceField(choices=ExtraKind.choices)
    sex = serializers.ChoiceField(choices=Sex.choices)
    value = serializers.IntegerField(min_value=-MAX_CELL_VALUE, max_value=MAX_CELL_VALUE)


class DraftInputSerializer(InputSerializer):
    """A draft's figures as a whole: the cells given replace all the draft's cells (a
    cell left out is not filled in)."""

    lock_version = serializers.IntegerField(
        min_value=0, help_text="Utkastets lock_version som du läste det; annars 409 stale_draft."
    )
    comment = serializers.CharField(
        allow_blank=True,
        required=False,
        default="",
        max_length=TEXT_MAX_LENGTH,
        trim_whitespace=False,
    )
    series = SeriesCellSerializer(many=True, required=False, default=list)
    extras = ExtraCellSerializer(many=True, required=False, default=list)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for name, fields in (
            ("series", ("treatment", "sex", "provider")),
            ("extras", ("kind", "sex")),
        ):
            seen: set[tuple[str, ...]] = set()
            for index, cell in enumerate(attrs[name]):
                key = tuple(cell[f] for f in fields)
                if key in seen:
                    raise serializers.ValidationError(
                        {
                            name: {
                                index: [
                                    _("Cellen %(key)s finns två gånger.") % {"key": ":".join(key)}
                                ]
                            }
                        },
                        code="duplicate_cell",
                    )
                seen.add(key)
        return attrs

    def figures(self) -> Figures:
        data = self.validated_data
        return Figures(
            series={(c["treatment"], c["sex"], c["provider"]): c["value"] for c in data["series"]},
            extras={(c["kind"], c["sex"]): c["value"] for c in data["extras"]},
            comment=data["comment"],
        )


# --------------------------------------------------------------------------- actions


class ReportCreateSerializer(InputSerializer):
    region = serializers.RegexField(r"^[0-9]{2}$", help_text="Länskod, t.ex. ”01”.")
    period = serializers.RegexField(
        r"^\d{4}(Q[1-4])?$",
        help_text="Ett helt år för en årsrapport (”2020”), annars ett kvartal (”2012Q1”).",
    )


class SubmitSerializer(InputSerializer):
    lock_version = serializers.IntegerField(min_value=0)
    eligibility_confirmed = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "Regionen bekräftar vad som räknas (”eligibility” på rapporten: åldrar, "
            "diagnosgrupper, bara genomförda behandlingsserier, kontakter bara med "
            "patientens samtycke). Krävs: utan den vägras inskickningen med 422."
        ),
    )
    explanations = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=TEXT_MAX_LENGTH),
        required=False,
        default=dict,
        help_text=(
            "Förklaring till varje varning, med varningens nyckel (”key” i kontrollen, t.ex. "
            "”KBT:deviation_previous_year”, ”” för sen inlämning)."
        ),
    )


class AcceptSerializer(InputSerializer):
    version = serializers.IntegerField(
        min_value=1, help_text="Numret på den inskickade version du har granskat."
    )
    comment = serializers.CharField(
        allow_blank=True, required=False, default="", max_length=TEXT_MAX_LENGTH
    )


class ReturnSerializer(InputSerializer):
    version = serializers.IntegerField(min_value=1)
    comment = serializers.CharField(
        allow_blank=True, max_length=TEXT_MAX_LENGTH, help_text="Vad regionen ska rätta (krävs)."
    )
    flagged_cells = serializers.ListField(
        child=serializers.CharField(max_length=60),
        required=False,
        default=list,
        help_text="Celler kommentaren gäller, t.ex. ”KBT:F:PUBLIC”.",
    )


class CorrectionSerializer(InputSerializer):
    reason = serializers.CharField(
        allow_blank=True, max_length=TEXT_MAX_LENGTH, help_text="Skälet (krävs)."
    )


# --------------------------------------------------------------------------- output


class IssueSerializer(serializers.Serializer):
    code = serializers.CharField()
    key = serializers.CharField(
        allow_blank=True, help_text="Vad det gäller; varningar förklaras under denna nyckel."
    )
    message = serializers.CharField()
    severity = serializers.ChoiceField(choices=["error", "warning"])


class ValidationResultSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    ok = serializers.BooleanField(help_text="Inga fel (varningar kan finnas).")
    errors = IssueSerializer(many=True)
    warnings = IssueSerializer(many=True)


class ExplainedWarningSerializer(serializers.ModelSerializer):
    class Meta:
        model = WarningExplanation
        fields = ["code", "key", "message", "explanation"]


class VersionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportVersion
        fields = [
            "number",
            "status",
            "is_correction",
            "lock_version",
            "created_at",
            "submitted_at",
            "decided_at",
        ]


class VersionSerializer(serializers.ModelSerializer):
    report = serializers.IntegerField(source="report_id")
    created_by = serializers.SerializerMethodField()
    updated_by = serializers.SerializerMethodField()
    submitted_by = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()
    flagged_cells = serializers.ListField(child=serializers.CharField())
    series = serializers.SerializerMethodField()
    extras = serializers.SerializerMethodField()
    explained_warnings = ExplainedWarningSerializer(many=True, source="warnings")

    class Meta:
        model = ReportVersion
        fields = [
            "report",
            "number",
            "status",
            "is_correction",
            "correction_reason",
            "comment",
            "lock_version",
            "created_by",
            "created_at",
            "updated_by",
            "updated_at",
            "submitted_by",
            "submitted_at",
            "submitted_late",
            "eligibility_statement",
            "eligibility_confirmed_at",
            "decided_by",
            "decided_at",
            "review_comment",
            "flagged_cells",
            "series",
            "extras",
            "explained_warnings",
        ]

    def get_created_by(self, obj: ReportVersion) -> str | None:
        return _username(obj.created_by)

    def get_updated_by(self, obj: ReportVersion) -> str | None:
        return _username(obj.updated_by)

    def get_submitted_by(self, obj: ReportVersion) -> str | None:
        return _username(obj.submitted_by)

    def get_decided_by(self, obj: ReportVersion) -> str | None:
        return _username(obj.decided_by)

    @extend_schema_field(SeriesCellSerializer(many=True))
    def get_series(self, obj: ReportVersion) -> list[dict[str, Any]]:
        return [
            {"treatment": s.treatment_id, "sex": s.sex, "provider": s.provider, "value": s.value}
            for s in sorted(obj.series.all(), key=lambda s: (s.treatment_id, s.sex, s.provider))
        ]

    @extend_schema_field(ExtraCellSerializer(many=True))
    def get_extras(self, obj: ReportVersion) -> list[dict[str, Any]]:
        return [
            {"kind": e.kind, "sex": e.sex, "value": e.value}
            for e in sorted(obj.extras.all(), key=lambda e: (e.kind, e.sex))
        ]


class ReportSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name")
    period = serializers.CharField(source="period.code", help_text="T.ex. ”2020” eller ”2012Q1”.")
    year = serializers.IntegerField(source="period.agreement.year")
    quarter = serializers.IntegerField(
        source="period.quarter", allow_null=True, help_text="Tomt för en årsrapport."
    )
    state = serializers.ChoiceField(
        choices=ReportState.choices, help_text="Samma läge som regionens översikt visar."
    )
    latest_version = serializers.SerializerMethodField()
    accepted_version = serializers.IntegerField(
        source="accepted_version.number",
        allow_null=True,
        help_text="Numret på den godkända version som gäller, eller null.",
    )

    class Meta:
        model = Report
        fields = [
            "id",
            "region",
            "region_name",
            "period",
            "year",
            "quarter",
            "state",
            "latest_version",
            "accepted_version",
            "created_at",
        ]

    @extend_schema_field(VersionSummarySerializer(allow_null=True))
    def get_latest_version(self, obj: Report) -> dict[str, Any] | None:
        versions = obj.version_list  # type: ignore[attr-defined]
        return self._version_summary.to_representation(versions[-1]) if versions else None

    @cached_property
    def _version_summary(self) -> VersionSummarySerializer:
        """One summary serializer for every report of a list: a ModelSerializer builds
        its fields from the model when first used, which cost more than the report's
        whole representation when done anew per report (issue #12)."""
        return VersionSummarySerializer()


class ReportDetailSerializer(ReportSerializer):
    versions = serializers.SerializerMethodField()
    eligibility = serializers.SerializerMethodField(
        help_text="Vad som räknas i rapporten; bekräftas med eligibility_confirmed vid inskickning."
    )

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "versions", "eligibility"]

    def get_eligibility(self, obj: Report) -> list[str]:
        from ..eligibility import eligibility_points

        return eligibility_points(obj.period)

    @extend_schema_field(VersionSummarySerializer(many=True))
    def get_versions(self, obj: Report) -> list[dict[str, Any]]:
        return VersionSummarySerializer(obj.version_list, many=True).data  # type: ignore[attr-defined]
