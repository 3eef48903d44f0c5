"""Reference data, read-only: regions, the treatment catalogue, agreements with
their periods (deadlines) and the treatments and rates they include."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from rehab.models import Agreement, AgreementTreatment, Region, ReportingPeriod, Treatment

from .base import ApiListView, ApiRetrieveView
from .filters import PERIOD, YEAR, period_filter, period_lookup, year_filter

TAG = ["Referensdata"]


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "active"]


class TreatmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Treatment
        fields = ["code", "area", "name", "name_en"]


class PeriodSerializer(serializers.ModelSerializer):
    label = serializers.CharField(
        read_only=True, help_text="”2020” för en årsrapport, ”2012Q1” för ett kvartal."
    )
    year = serializers.IntegerField(source="agreement.year", read_only=True)
    is_open = serializers.SerializerMethodField(
        help_text="Öppen för rapportering i dag (inte stängd och har öppnat)."
    )

    class Meta:
        model = ReportingPeriod
        fields = [
            "label",
            "year",
            "quarter",
            "start_date",
            "end_date",
            "opens_on",
            "deadline",
            "is_closed",
            "is_open",
        ]

    def get_is_open(self, obj: ReportingPeriod) -> bool:
        return obj.is_open()


class AgreementTreatmentSerializer(serializers.ModelSerializer):
    treatment = serializers.CharField(source="treatment_id", read_only=True)
    area = serializers.CharField(source="treatment.area", read_only=True)
    name = serializers.CharField(source="treatment.name", read_only=True)

    class Meta:
        model = AgreementTreatment
        fields = ["treatment", "area", "name", "rate_ore"]


class AgreementSerializer(serializers.ModelSerializer):
    periods = PeriodSerializer(many=True, read_only=True)
    treatments = AgreementTreatmentSerializer(many=True, read_only=True, source="rates")

    class Meta:
        model = Agreement
        fields = [
            "year",
            "name",
            "diary_number",
            "payout_model",
            "frame_ore",
            "research_ore",
            "addon_per_series_ore",
            "contact_bonus_per_contact_ore",
            "contact_bonus_cap_ore",
            "population_reference_date",
            "population_age_band",
            "statistics_age_band",
            "asks_video",
            "payment_due",
            "periods",
            "treatments",
        ]


def _agreements() -> QuerySet[Agreement]:
    return Agreement.objects.prefetch_related("periods", "rates__treatment").order_by("-year")


@extend_schema_view(get=extend_schema(tags=TAG, summary="Regionerna"))
class RegionList(ApiListView):
    serializer_class = RegionSerializer
    queryset = Region.objects.order_by("code")


@extend_schema_view(get=extend_schema(tags=TAG, summary="En region"))
class RegionDetail(ApiRetrieveView):
    serializer_class = RegionSerializer
    queryset = Region.objects.all()
    lookup_field = "code"


@extend_schema_view(get=extend_schema(tags=TAG, summary="Behandlingskatalogen"))
class TreatmentList(ApiListView):
    serializer_class = TreatmentSerializer
    queryset = Treatment.objects.order_by("area", "sort_order", "code")


@extend_schema_view(get=extend_schema(tags=TAG, summary="En behandling"))
class TreatmentDetail(ApiRetrieveView):
    serializer_class = TreatmentSerializer
    queryset = Treatment.objects.all()
    lookup_field = "code"


@extend_schema_view(
    get=extend_schema(
        tags=TAG,
        summary="Överenskommelserna med perioder, sista dagar och ersättningar",
        parameters=[YEAR],
    )
)
class AgreementList(ApiListView):
    serializer_class = AgreementSerializer

    def get_queryset(self) -> QuerySet[Agreement]:
        qs = _agreements()
        year = year_filter(self.request)
        return qs.filter(year=year) if year is not None else qs


@extend_schema_view(get=extend_schema(tags=TAG, summary="En överenskommelse"))
class AgreementDetail(ApiRetrieveView):
    serializer_class = AgreementSerializer
    lookup_field = "year"
    lookup_url_kwarg = "year"

    def get_queryset(self) -> QuerySet[Agreement]:
        return _agreements()


@extend_schema_view(
    get=extend_schema(
        tags=TAG, summary="Rapporteringsperioderna och deras sista dagar", parameters=[YEAR, PERIOD]
    )
)
class PeriodList(ApiListView):
    serializer_class = PeriodSerializer

    def get_queryset(self) -> QuerySet[ReportingPeriod]:
        qs: Any = ReportingPeriod.objects.select_related("agreement").order_by(
            "agreement__year", "quarter"
        )
        year = year_filter(self.request)
        if year is not None:
            qs = qs.filter(agreement__year=year)
        period = period_filter(self.request)
        if period is not None:
            qs = qs.filter(**period_lookup(period))
        return qs
