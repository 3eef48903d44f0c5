"""What the payout-run endpoints read and write."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rehab.api.base import InputSerializer

from ..enums import ExportKind, RunKind, RunStatus
from ..explanations import explain_line
from ..models import PayoutExport, PayoutLine, PayoutRun


class RunStartSerializer(InputSerializer):
    year = serializers.IntegerField(
        min_value=2008, max_value=2100, help_text="Överenskommelsens år."
    )
    quarter = serializers.IntegerField(
        min_value=1,
        max_value=4,
        allow_null=True,
        required=False,
        default=None,
        help_text=(
            "Kvartalet (modell A); null för omfördelningen vid årets slut (modell A) "
            "eller helåret (modell B)."
        ),
    )


class ExportCreateSerializer(InputSerializer):
    kind = serializers.ChoiceField(choices=ExportKind.choices)
    region = serializers.RegexField(
        r"^[0-9]{2}$",
        required=False,
        allow_null=True,
        default=None,
        help_text="Regionen vars beslut ska skapas (bara för DECISION).",
    )


class TotalSerializer(serializers.Serializer):
    label = serializers.CharField()
    amount_ore = serializers.IntegerField()


class LineSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name")
    explanation = serializers.SerializerMethodField(
        help_text="Vad som ligger bakom beloppet, i ord och siffror (samma som på körningens sida)."
    )

    class Meta:
        model = PayoutLine
        fields = [
            "region",
            "region_name",
            "amount_ore",
            "ceiling_ore",
            "earned_ore",
            "entitled_ore",
            "already_paid_ore",
            "redistribution_ore",
            "base_ore",
            "bonus_ore",
            "explanation",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_explanation(self, obj: PayoutLine) -> list[str]:
        return [str(sentence) for sentence in explain_line(obj.run.inputs, obj)]


class ExportSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username")
    download = serializers.SerializerMethodField(help_text="Var filen hämtas (GET).")

    class Meta:
        model = PayoutExport
        fields = [
            "id",
            "kind",
            "region",
            "filename",
            "content_type",
            "sha256",
            "created_by",
            "created_at",
            "download",
        ]

    def get_download(self, obj: PayoutExport) -> str:
        return f"/api/v1/payout-runs/{obj.run_id}/exports/{obj.pk}/download/"


class RunSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="agreement.year")
    payout_model = serializers.CharField(source="agreement.payout_model")
    kind = serializers.ChoiceField(choices=RunKind.choices)
    status = serializers.ChoiceField(choices=RunStatus.choices)
    period = serializers.CharField(
        source="period_label", help_text="”2012Q1”, eller året för helår och omfördelning."
    )
    reference = serializers.CharField(help_text="Betalningsreferensen, t.ex. ”REHAB-2012Q1-1-17”.")
    started_by = serializers.CharField(source="started_by.username")
    approved_by = serializers.CharField(source="approved_by.username", allow_null=True)

    class Meta:
        model = PayoutRun
        fields = [
            "id",
            "reference",
            "year",
            "payout_model",
            "kind",
            "quarter",
            "round",
            "period",
            "status",
            "total_ore",
            "failure_reason",
            "started_by",
            "created_at",
            "computed_at",
            "approved_by",
            "approved_at",
        ]


class RunDetailSerializer(RunSerializer):
    lines = serializers.SerializerMethodField()
    totals = serializers.SerializerMethodField()
    reconciles = serializers.SerializerMethodField(
        help_text="Summorna stämmer mot överenskommelsens ram."
    )
    exports = serializers.SerializerMethodField()

    class Meta(RunSerializer.Meta):
        fields = [*RunSerializer.Meta.fields, "lines", "totals", "reconciles", "exports"]

    def _view(self, obj: PayoutRun) -> Any:
        return self.context["view_data"]

    @extend_schema_field(LineSerializer(many=True))
    def get_lines(self, obj: PayoutRun) -> list[dict[str, Any]]:
        return LineSerializer([item.line for item in self._view(obj).lines], many=True).data

    @extend_schema_field(TotalSerializer(many=True))
    def get_totals(self, obj: PayoutRun) -> list[dict[str, Any]]:
        return [{"label": str(t.label), "amount_ore": t.amount_ore} for t in self._view(obj).totals]

    def get_reconciles(self, obj: PayoutRun) -> bool:
        return bool(self._view(obj).reconciles)

    @extend_schema_field(ExportSerializer(many=True))
    def get_exports(self, obj: PayoutRun) -> list[dict[str, Any]]:
        return ExportSerializer(self._view(obj).exports, many=True).data
