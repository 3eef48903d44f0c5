"""Reads of reports (aggregations happen in PostgreSQL)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, Sum

from rehab.models import Agreement

from .enums import ExtraKind
from .figures import CellChange, Figures, diff_figures
from .models import ExtraCount, Report, ReportVersion, SeriesCount

__all__ = [
    "AcceptedVersionRef",
    "CellChange",
    "Figures",
    "accepted_contacts",
    "accepted_extras",
    "accepted_series",
    "accepted_versions",
    "diff_figures",
    "figures_of",
    "figures_of_many",
    "previous_figures",
    "previous_version",
    "version_changes",
]


@dataclass(frozen=True)
class AcceptedVersionRef:
    report_id: int
    version_id: int
    region: str
    quarter: int | None  # None: the yearly period
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


def figures_of(version: ReportVersion) -> Figures:
    """A version's figures and comment (uses `prefetch_related("series", "extras")` if done)."""
    return Figures(
        series={(s.treatment_id, s.sex, s.provider): s.value for s in version.series.all()},
        extras={(e.kind, e.sex): e.value for e in version.extras.all()},
        comment=version.comment,
    )


def figures_of_many(versions: Iterable[ReportVersion]) -> dict[int, Figures]:
    """:func:`figures_of` for many versions at once (two queries), by version id."""
    by_id = {version.pk: version for version in versions}
    series: dict[int, dict[tuple[str, str, str], int]] = defaultdict(dict)
    extras: dict[int, dict[tuple[str, str], int]] = defaultdict(dict)
    for version_id, treatment, sex, provider, value in SeriesCount.objects.filter(
        version_id__in=by_id
    ).values_list("version_id", "treatment_id", "sex", "provider", "value"):
        series[version_id][(treatment, sex, provider)] = value
    for version_id, kind, sex, value in ExtraCount.objects.filter(version_id__in=by_id).values_list(
        "version_id", "kind", "sex", "value"
    ):
        extras[version_id][(kind, sex)] = value
    return {
        pk: Figures(series=series[pk], extras=extras[pk], comment=version.comment)
        for pk, version in by_id.items()
    }


def previous_version(version: ReportVersion) -> ReportVersion | None:
    """The version before this one in the same report (None for version 1)."""
    return (
        ReportVersion.objects.filter(report_id=version.report_id, number__lt=version.number)
        .order_by("-number")
        .first()
    )


def previous_figures(version: ReportVersion) -> Figures | None:
    """The figures of the version before this one (None for version 1). For a
    correction that is the accepted version it corrects; for a draft opened after a
    return, the returned version."""
    previous = previous_version(version)
    return figures_of(previous) if previous is not None else None


def version_changes(version: ReportVersion) -> list[CellChange]:
    """The cells this version changes against the previous version (all filled-in
    cells for version 1)."""
    return diff_figures(previous_figures(version), figures_of(version))
