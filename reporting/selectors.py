"""Reads of reports (aggregations happen in PostgreSQL)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, Sum

from rehab.models import Agreement

from .enums import ExtraKind
from .models import ExtraCount, Report, SeriesCount


@dataclass(frozen=True)
class AcceptedVersionRef:
    report_id: int
    version_id: int
    region: str
    quarter: int
    number: int


def accepted_versions(
    agreement: Agreement, *, quarters: Iterable[int] | None = None
) -> list[AcceptedVersionRef]:
    """The report versions in force (accepted, corrections included) for an agreement."""
    qs = Report.objects.filter(period__agreement=agreement, accepted_version__isnull=False)
    if quarters is not None:
        qs = qs.filter(period__quarter__in=list(quarters))
    return [
        AcceptedVersionRef(report_id, version_id, region, quarter, number)
        for report_id, version_id, region, quarter, number in qs.order_by(
            "region", "period__quarter"
        ).values_list(
            "pk", "accepted_version_id", "region_id", "period__quarter", "accepted_version__number"
        )
    ]


def accepted_series(
    agreement: Agreement, *, quarters: Iterable[int] | None = None
) -> dict[str, dict[int, dict[str, int]]]:
    """{region: {quarter: {treatment: series}}} summed over sex and provider,
    from the accepted version of each report."""
    qs = SeriesCount.objects.filter(
        version__report__period__agreement=agreement,
        version__report__accepted_version=F("version"),
    )
    if quarters is not None:
        qs = qs.filter(version__report__period__quarter__in=list(quarters))
    rows = qs.values(
        "version__report__region", "version__report__period__quarter", "treatment"
    ).annotate(total=Sum("value"))
    out: dict[str, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        region = row["version__report__region"]
        quarter = row["version__report__period__quarter"]
        out[region][quarter][row["treatment"]] = row["total"]
    return {region: dict(by_q) for region, by_q in out.items()}


def accepted_extras(
    agreement: Agreement, *, quarters: Iterable[int] | None = None
) -> dict[str, dict[str, int]]:
    """{region: {kind: total}} over the accepted versions (contacts and video)."""
    qs = ExtraCount.objects.filter(
        version__report__period__agreement=agreement,
        version__report__accepted_version=F("version"),
    )
    if quarters is not None:
        qs = qs.filter(version__report__period__quarter__in=list(quarters))
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for row in qs.values("version__report__region", "kind").annotate(total=Sum("value")):
        out[row["version__report__region"]][row["kind"]] = row["total"]
    return dict(out)


def accepted_contacts(
    agreement: Agreement, *, quarters: Iterable[int] | None = None
) -> dict[str, int]:
    """{region: employer + Arbetsförmedlingen contacts} over accepted versions."""
    extras = accepted_extras(agreement, quarters=quarters)
    return {
        region: kinds.get(ExtraKind.EMPLOYER_CONTACT, 0) + kinds.get(ExtraKind.AF_CONTACT, 0)
        for region, kinds in extras.items()
    }
