"""The checks of a report (spec §5): errors block submission, warnings need a
written explanation.

Errors: a count that is not a whole number ≥ 0; a treatment the agreement does
not include (and video where the agreement does not ask for it); a period that is
not open; a region the user does not belong to; employer contacts,
Arbetsförmedlingen contacts or video series greater than the completed series
(per sex, which also bounds the total).

Warnings, per treatment of the agreement (a treatment's total over sex and
provider): it moved more than `deviation_percent` from the same quarter a year
earlier, or from the average of the region's last `recent_quarters` accepted
quarters (no deviation warning when both figures are below `deviation_min_base`,
or when there is nothing to compare with); it dropped to zero from a non-zero
figure in the region's latest accepted quarter (a drop to zero is warned once, as
`drop_to_zero`, not also as a deviation). And a report filed after the deadline.

Issue keys are unique within a version: a cell key for cell errors
("KBT:F:PUBLIC", "EMPLOYER_CONTACT:F"), "period" and "region" for those errors,
"<TREATMENT>:<code>" for warnings about a treatment ("KBT:drop_to_zero") and ""
for the late filing.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rehab.formatting import format_int
from rehab.models import AgreementTreatment, Region, ReportingPeriod, Treatment, User
from rehab.permissions import Action, can
from rehab.selectors import period_code

from .cells import agreement_cells
from .enums import ExtraKind, Provider, Sex, VersionStatus
from .figures import Figures, extra_key, series_key
from .models import Report, ReportVersion, SeriesCount, ValidationSettings

ERROR = "error"
WARNING = "warning"

SEX_LABELS = {Sex.FEMALE: "kvinnor", Sex.MALE: "män"}
PROVIDER_LABELS = {Provider.PUBLIC: "offentlig", Provider.PRIVATE: "privat"}
EXCEED_CODES = {
    ExtraKind.EMPLOYER_CONTACT: "employer_contacts_exceed_series",
    ExtraKind.AF_CONTACT: "af_contacts_exceed_series",
    ExtraKind.VIDEO: "video_exceeds_series",
}


@dataclass(frozen=True)
class Issue:
    code: str
    key: str
    message: str
    severity: str
    # The treatment or cell the issue concerns ("KBT", "KBT:F:PUBLIC"), "" for the report.
    subject: str = ""
    # What the message says, as plain values (a warning is stored as code + params
    # and rendered in the reader's language when shown: warning_text()).
    params: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class ValidationResult:
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def issues(self) -> list[Issue]:
        return [*self.errors, *self.warnings]


def cell_label(key: str) -> str:
    """ "KBT:F:PUBLIC" -> "KBT, kvinnor, offentlig";
    "AF_CONTACT:M" -> "Kontakter med Arbetsförmedlingen, män" (plain Swedish, not a code)."""
    parts = key.split(":")
    labels = [str(ExtraKind(parts[0]).label) if parts[0] in ExtraKind.values else parts[0]]
    if len(parts) > 1:
        labels.append(SEX_LABELS.get(parts[1], parts[1]))  # type: ignore[call-overload]
    if len(parts) > 2:
        labels.append(PROVIDER_LABELS.get(parts[2], parts[2]))  # type: ignore[call-overload]
    return ", ".join(labels)


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def value_issues(figures: Figures) -> list[Issue]:
    """Cells whose value is not a whole number ≥ 0 (the only check a draft's save makes)."""
    issues: list[Issue] = []
    for key, value in figures.cells().items():
        if not _is_whole(value):
            issues.append(
                Issue(
                    "not_whole_number",
                    key,
                    _("%(cell)s: ”%(value)s” är inte ett heltal.")
                    % {"cell": cell_label(key), "value": value},
                    ERROR,
                    key,
                )
            )
        elif value < 0:
            issues.append(
                Issue(
                    "negative",
                    key,
                    _("%(cell)s: antalet kan inte vara negativt (%(value)s).")
                    % {"cell": cell_label(key), "value": format_int(value)},
                    ERROR,
                    key,
                )
            )
    return issues


def included_treatments(period: ReportingPeriod) -> set[str]:
    return set(
        AgreementTreatment.objects.filter(agreement_id=period.agreement_id).values_list(
            "treatment_id", flat=True
        )
    )


def catalogue_issues(
    period: ReportingPeriod, figures: Figures, included: set[str] | None = None
) -> list[Issue]:
    """Treatments the agreement does not include; video where it is not asked for
    (the agreement's cells: reporting.cells). `included`: the agreement's
    treatments, if already read."""
    if included is None:
        included = set(agreement_cells(period.agreement).included)
    year = period.agreement.year
    issues: list[Issue] = []
    for treatment, sex, provider in figures.series:
        if treatment not in included:
            key = series_key(treatment, sex, provider)
            issues.append(
                Issue(
                    "treatment_not_in_agreement",
                    key,
                    _("%(treatment)s ingår inte i överenskommelsen för %(year)s.")
                    % {"treatment": treatment, "year": year},
                    ERROR,
                    key,
                )
            )
    if not period.agreement.asks_video:
        for kind, sex in figures.extras:
            if kind == ExtraKind.VIDEO:
                key = extra_key(kind, sex)
                issues.append(
                    Issue(
                        "video_not_in_agreement",
                        key,
                        _("Överenskommelsen för %(year)s frågar inte efter behandlingar via video.")
                        % {"year": year},
                        ERROR,
                        key,
                    )
                )
    return issues


def _exceed_message(kind: str, sex: str, extra: int, series: int) -> str:
    values = {
        "sex": SEX_LABELS[Sex(sex)],
        "extra": format_int(extra),
        "series": format_int(series),
    }
    text = _(
        "Behandlingar via video för %(sex)s (%(extra)s) är fler än "
        "genomförda behandlingar för %(sex)s (%(series)s)."
    )
    return text % values


def _contacts_message(kind: str, contacts: int, series: int) -> str:
    values = {"contacts": format_int(contacts), "series": format_int(series)}
    if kind == ExtraKind.EMPLOYER_CONTACT:
        text = _(
            "Kontakter med arbetsgivare (%(contacts)s) är fler än regionens genomförda "
            "behandlingar under perioden (%(series)s)."
        )
    else:
        text = _(
            "Kontakter med Arbetsförmedlingen (%(contacts)s) är fler än regionens "
            "genomförda behandlingar under perioden (%(series)s)."
        )
    return text % values


def _cross_field_issues(figures: Figures) -> list[Issue]:
    """Contacts with employers, and with Arbetsförmedlingen, each at most the region's
    total completed series of the period (spec §5: compared as totals, not per sex);
    series by video at most the series of the same sex."""
    by_sex = figures.series_by_sex()
    total_series = sum(by_sex.values())
    issues: list[Issue] = []
    for contact_kind in (ExtraKind.EMPLOYER_CONTACT, ExtraKind.AF_CONTACT):
        cells = {
            sex: value
            for (k, sex), value in sorted(figures.extras.items())
            if k == contact_kind and _is_whole(value)
        }
        contacts = sum(cells.values())
        if contacts > total_series:
            # Flagged on the kind's largest cell, so the grid shows where to look.
            sex = max(cells, key=lambda s: (cells[s], s))
            key = extra_key(contact_kind, sex)
            issues.append(
                Issue(
                    EXCEED_CODES[contact_kind],
                    key,
                    _contacts_message(contact_kind, contacts, total_series),
                    ERROR,
                    key,
                )
            )
    for (kind, sex), value in sorted(figures.extras.items()):
        if not _is_whole(value) or kind != ExtraKind.VIDEO:
            continue
        series = by_sex.get(sex, 0)
        if value > series:
            key = extra_key(kind, sex)
            issues.append(
                Issue(
                    EXCEED_CODES[ExtraKind(kind)],
                    key,
                    _exceed_message(kind, sex, value, series),
                    ERROR,
                    key,
                )
            )
    return issues


# --------------------------------------------------------------------------- history


@dataclass(frozen=True)
class _History:
    """The region's accepted quarters before the period, newest first:
    [(year, quarter, {treatment: total}, treatments its agreement includes)]."""

    quarters: list[tuple[int, int | None, dict[str, int], set[str]]]

    def get(self, year: int, quarter: int | None) -> tuple[dict[str, int], set[str]] | None:
        for y, q, totals, included in self.quarters:
            if (y, q) == (year, quarter):
                return totals, included
        return None


def _before(year: int, quarter: int | None, other_year: int, other_quarter: int | None) -> bool:
    """Whether (other_year, other_quarter) is an earlier period of the same kind: a
    yearly report is compared with earlier yearly reports, a quarter with earlier
    quarters (the filter of :func:`_history`, in Python)."""
    if quarter is None:
        return other_quarter is None and other_year < year
    if other_quarter is None:
        return False
    return other_year < year or (other_year == year and other_quarter < quarter)


@dataclass
class Preloaded:
    """What the checks of many reports read once, instead of once per report (a
    file import): the settings, every agreement's treatments, the treatments' grid
    order and names, and the accepted history of the regions concerned. Built by
    :func:`preload`; the results are the same as without it."""

    settings: ValidationSettings
    included: dict[int, set[str]]  # agreement id -> treatment codes
    order: list[str]  # every treatment code in the grid's order
    names: dict[str, str]  # treatment code -> name in the active language
    # Per region, its accepted reports, newest first:
    # (year, quarter, agreement id, {treatment: total}).
    accepted: dict[str, list[tuple[int, int | None, int, dict[str, int]]]]

    def history(self, region: Region | str, period: ReportingPeriod) -> _History:
        code = region.code if isinstance(region, Region) else region
        year, quarter = period.agreement.year, period.quarter
        return _History(
            [
                (y, q, totals, self.included.get(agreement_id, set()))
                for y, q, agreement_id, totals in self.accepted.get(code, [])
                if _before(year, quarter, y, q)
            ]
        )

    def grid_order(self, treatments: Iterable[str]) -> list[str]:
        wanted = set(treatments)
        ordered = [code for code in self.order if code in wanted]
        return ordered + sorted(wanted - set(ordered))


def preload(regions: Iterable[str], periods: Iterable[ReportingPeriod]) -> Preloaded:
    """The data the checks of `regions`' reports for `periods` read, in a fixed
    number of queries whatever the number of reports."""
    codes = set(regions)
    last_year = max((p.agreement.year for p in periods), default=0)
    accepted: dict[str, list[tuple[int, int | None, int, dict[str, int]]]] = defaultdict(list)
    totals: dict[tuple[str, int, int | None], dict[str, int]] = defaultdict(dict)
    for region, y, q, treatment, total in (
        SeriesCount.objects.filter(
            version__report__region__in=codes,
            version__report__accepted_version=F("version"),
            version__report__period__agreement__year__lte=last_year,
        )
        .values(
            "version__report__region",
            "version__report__period__agreement__year",
            "version__report__period__quarter",
            "treatment",
        )
        .annotate(total=Sum("value"))
        .values_list(
            "version__report__region",
            "version__report__period__agreement__year",
            "version__report__period__quarter",
            "treatment",
            "total",
        )
    ):
        totals[(region, y, q)][treatment] = total
    for region, y, q, agreement_id in (
        Report.objects.filter(
            region__in=codes,
            accepted_version__isnull=False,
            period__agreement__year__lte=last_year,
        )
        .order_by("-period__agreement__year", "-period__quarter")
        .values_list("region", "period__agreement__year", "period__quarter", "period__agreement_id")
    ):
        accepted[region].append((y, q, agreement_id, totals.get((region, y, q), {})))
    return preloaded_with(accepted)


def preloaded_with(accepted: Mapping[Any, list[Any]]) -> Preloaded:
    """A :class:`Preloaded` of the given accepted history (whose-ever it is: a
    region's, or a care unit's in reporting.units) with what every check reads
    besides: the settings, the agreements' treatments, their order and names."""
    included: dict[int, set[str]] = defaultdict(set)
    for agreement_id, treatment in AgreementTreatment.objects.values_list(
        "agreement_id", "treatment_id"
    ):
        included[agreement_id].add(treatment)
    treatments = list(Treatment.objects.order_by("area", "sort_order", "code"))
    return Preloaded(
        settings=ValidationSettings.current(),
        included=dict(included),
        order=[t.code for t in treatments],
        names={t.code: t.display_name for t in treatments},
        accepted=dict(accepted),
    )


def _history(region: Region | str, period: ReportingPeriod) -> _History:
    year, quarter = period.agreement.year, period.quarter
    # A yearly report is compared with earlier yearly reports, a quarter with earlier
    # quarters: a year's figures are some four times a quarter's.
    if quarter is None:
        before = Q(period__agreement__year__lt=year, period__quarter__isnull=True)
    else:
        before = Q(period__agreement__year__lt=year, period__quarter__isnull=False) | Q(
            period__agreement__year=year, period__quarter__lt=quarter
        )
    accepted = list(
        Report.objects.filter(before, region=region, accepted_version__isnull=False)
        .order_by("-period__agreement__year", "-period__quarter")
        .values_list("period__agreement__year", "period__quarter", "period__agreement_id")
    )
    if not accepted:
        return _History([])
    totals: dict[tuple[int, int | None], dict[str, int]] = defaultdict(dict)
    rows = (
        SeriesCount.objects.filter(
            version__report__region=region,
            version__report__accepted_version=F("version"),
        )
        .filter(
            Q(
                version__report__period__agreement__year__lt=year,
                version__report__period__quarter__isnull=quarter is None,
            )
            | (
                Q(
                    version__report__period__agreement__year=year,
                    version__report__period__quarter__lt=quarter,
                )
                if quarter is not None
                else Q(pk__in=[])
            )
        )
        .values(
            "version__report__period__agreement__year",
            "version__report__period__quarter",
            "treatment",
        )
        .annotate(total=Sum("value"))
        .values_list(
            "version__report__period__agreement__year",
            "version__report__period__quarter",
            "treatment",
            "total",
        )
    )
    for y, q, treatment, total in rows:
        totals[(y, q)][treatment] = total
    agreement_ids = {agreement_id for _y, _q, agreement_id in accepted}
    included: dict[int, set[str]] = defaultdict(set)
    for agreement_id, treatment in AgreementTreatment.objects.filter(
        agreement_id__in=agreement_ids
    ).values_list("agreement_id", "treatment_id"):
        included[agreement_id].add(treatment)
    return _History(
        [(y, q, totals.get((y, q), {}), included[agreement_id]) for y, q, agreement_id in accepted]
    )


def _percent(new: int, base: int) -> str:
    change = round((new - base) * 100 / base)
    sign = "+" if change > 0 else "−" if change < 0 else ""
    return f"{sign}{abs(change)} %"


def _far(new: int, base: float, settings: ValidationSettings) -> bool:
    if base <= 0:
        return False
    if new < settings.deviation_min_base and base < settings.deviation_min_base:
        return False
    return abs(new - base) * 100 > settings.deviation_percent * base


def _warning(
    code: str, treatment: str, params: dict[str, Any], names: Mapping[str, str] | None = None
) -> Issue:
    params = {"treatment": treatment, **params}
    return Issue(
        code,
        f"{treatment}:{code}",
        warning_text(code, params, names),
        WARNING,
        treatment,
        params=params,
    )


def history_warnings(
    region: Region | str,
    period: ReportingPeriod,
    figures: Figures,
    preloaded: Preloaded | None = None,
) -> list[Issue]:
    """Deviation and drop-to-zero warnings against the region's accepted quarters,
    in the grid's order of treatments. `preloaded`: the data read once for many
    reports (:func:`preload`)."""
    settings = preloaded.settings if preloaded else ValidationSettings.current()
    history = preloaded.history(region, period) if preloaded else _history(region, period)
    if not history.quarters:
        return []
    totals = figures.treatment_totals()
    if preloaded:
        included = preloaded.included.get(period.agreement_id, set())
        order = preloaded.grid_order(included)
        names: Mapping[str, str] | None = preloaded.names
    else:
        cells = agreement_cells(period.agreement)
        included = set(cells.included)
        order = list(cells.codes)
        names = None
    year, quarter = period.agreement.year, period.quarter
    last_year = history.get(year - 1, quarter)
    latest_y, latest_q, latest_totals, latest_included = history.quarters[0]
    recent = history.quarters[: settings.recent_quarters]
    warnings: list[Issue] = []
    for treatment in order:
        new = totals.get(treatment, 0)
        if new == 0 and treatment in latest_included and latest_totals.get(treatment, 0) > 0:
            warnings.append(
                _warning(
                    "drop_to_zero",
                    treatment,
                    {"before": latest_totals[treatment], "label": period_code(latest_y, latest_q)},
                    names,
                )
            )
            continue
        if last_year is not None and treatment in last_year[1]:
            base = last_year[0].get(treatment, 0)
            if _far(new, base, settings):
                warnings.append(
                    _warning(
                        "deviation_previous_year",
                        treatment,
                        {
                            "new": new,
                            "base": base,
                            "change": _percent(new, base),
                            "yearly": quarter is None,
                        },
                        names,
                    )
                )
        compared = [t.get(treatment, 0) for _y, _q, t, inc in recent if treatment in inc]
        if compared:
            average = sum(compared) / len(compared)
            if _far(new, average, settings):
                warnings.append(
                    _warning(
                        "deviation_recent_average",
                        treatment,
                        {
                            "new": new,
                            "base": round(average),
                            "count": len(compared),
                            "change": _percent(new, round(average)),
                            "yearly": quarter is None,
                        },
                        names,
                    )
                )
    return warnings


def blank_cells(period: ReportingPeriod, figures: Figures) -> list[str]:
    """The cells of the period's report that are not filled in, in grid order
    (series by treatment and column, then contacts and video)."""
    filled = figures.cells()
    return [key for key in agreement_cells(period.agreement).keys if key not in filled]


def blank_cells_warning(period: ReportingPeriod, figures: Figures) -> Issue | None:
    """Blank cells are counted as 0 at submission: the coordinator enters 0 or
    explains why the figure is not known (a warning with key "blank_cells")."""
    blank = blank_cells(period, figures)
    if not blank:
        return None
    params: dict[str, Any] = {"cells": blank}
    return Issue(
        "blank_cells", "blank_cells", warning_text("blank_cells", params), WARNING, params=params
    )


def _treatment_names(codes: Iterable[str]) -> dict[str, str]:
    """Treatment code -> its name in the active language (one query)."""
    return {t.code: t.display_name for t in Treatment.objects.filter(code__in=set(codes))}


def readable_cell(key: str, names: Mapping[str, str]) -> str:
    """A cell key as people say it, in the active language:
    "KBT:F:PUBLIC" -> "Kognitiv beteendeterapi (KBT), kvinnor, offentlig"."""
    parts = key.split(":")
    sexes = {Sex.FEMALE: _("kvinnor"), Sex.MALE: _("män")}
    providers = {Provider.PUBLIC: _("offentlig"), Provider.PRIVATE: _("privat")}
    if parts[0] in ExtraKind.values:
        first = str(ExtraKind(parts[0]).label)
    else:
        first = names.get(parts[0], parts[0])
    labels = [first]
    if len(parts) > 1:
        labels.append(str(sexes.get(parts[1], parts[1])))  # type: ignore[call-overload]
    if len(parts) > 2:
        labels.append(str(providers.get(parts[2], parts[2])))  # type: ignore[call-overload]
    return ", ".join(labels)


def warning_text(
    code: str, params: Mapping[str, Any], names: Mapping[str, str] | None = None
) -> str:
    """A warning's message from its code and parameters, in the active language,
    treatments named as in the grid. `names` (code -> name) saves the query."""
    if names is None:
        codes = [params.get("treatment", "")]
        codes += [str(c).split(":")[0] for c in params.get("cells", [])]
        names = _treatment_names(c for c in codes if c)
    treatment = names.get(params.get("treatment", ""), params.get("treatment", ""))
    if code == "drop_to_zero":
        return _("%(treatment)s: 0 genomförda behandlingar, men %(before)s under %(label)s.") % {
            "treatment": treatment,
            "before": format_int(params["before"]),
            "label": params["label"],
        }
    if code == "deviation_previous_year" and params.get("yearly"):
        return _(
            "%(treatment)s: %(new)s genomförda behandlingar jämfört med "
            "%(base)s året innan (%(change)s)."
        ) % {
            "treatment": treatment,
            "new": format_int(params["new"]),
            "base": format_int(params["base"]),
            "change": params["change"],
        }
    if code == "deviation_recent_average" and params.get("yearly"):
        return _(
            "%(treatment)s: %(new)s genomförda behandlingar jämfört med i "
            "genomsnitt %(base)s de senaste %(count)s godkända åren "
            "(%(change)s)."
        ) % {
            "treatment": treatment,
            "new": format_int(params["new"]),
            "base": format_int(params["base"]),
            "count": params["count"],
            "change": params["change"],
        }
    if code == "deviation_previous_year":
        return _(
            "%(treatment)s: %(new)s genomförda behandlingar jämfört med "
            "%(base)s samma kvartal året innan (%(change)s)."
        ) % {
            "treatment": treatment,
            "new": format_int(params["new"]),
            "base": format_int(params["base"]),
            "change": params["change"],
        }
    if code == "deviation_recent_average":
        return _(
            "%(treatment)s: %(new)s genomförda behandlingar jämfört med i "
            "genomsnitt %(base)s de senaste %(count)s godkända kvartalen "
            "(%(change)s)."
        ) % {
            "treatment": treatment,
            "new": format_int(params["new"]),
            "base": format_int(params["base"]),
            "count": params["count"],
            "change": params["change"],
        }
    if code == "late_filing":
        return _("Rapporten lämnas in efter sista dag %(deadline)s.") % {
            "deadline": params["deadline"]
        }
    if code == "blank_cells":
        cells = [readable_cell(str(c), names) for c in params["cells"]]
        return ngettext(
            "%(n)s ruta är tom och räknas som 0 när rapporten skickas in: %(cells)s. "
            "Skriv 0 om inget utfördes, eller förklara varför uppgiften saknas.",
            "%(n)s rutor är tomma och räknas som 0 när rapporten skickas in: %(cells)s. "
            "Skriv 0 där inget utfördes, eller förklara varför uppgifterna saknas.",
            len(cells),
        ) % {"n": format_int(len(cells)), "cells": "; ".join(cells)}
    return str(params.get("message", code))


# --------------------------------------------------------------------------- entry points


def validate_figures(
    *,
    region: Region,
    period: ReportingPeriod,
    figures: Figures,
    user: User | None,
    today: datetime.date | None = None,
    historical: bool = False,
    preloaded: Preloaded | None = None,
) -> ValidationResult:
    """Every error and warning of spec §5 for `figures` as region's report for period.

    `user` None skips the region check (a system or FK load). `historical` (an
    import of accepted figures from earlier years) skips the period-open and
    late-filing rules. `preloaded` (:func:`preload`): checking many reports, what
    they all read is read once.
    """
    today = today or timezone.localdate()
    errors: list[Issue] = []
    if user is not None and not can(user, Action.EDIT_REPORTS, region):
        errors.append(
            Issue(
                "region_not_allowed",
                "region",
                _("Du får inte rapportera för %(region)s.") % {"region": region.name},
                ERROR,
            )
        )
    if not historical and not period.is_open(today):
        if period.is_closed:
            message = _("Perioden %(period)s är stängd för rapportering.") % {
                "period": period.label
            }
        else:
            message = _("Perioden %(period)s öppnar för rapportering %(date)s.") % {
                "period": period.label,
                "date": period.opens_on.isoformat(),
            }
        errors.append(Issue("period_not_open", "period", message, ERROR))
    bad_values = value_issues(figures)
    errors.extend(bad_values)
    included = preloaded.included.get(period.agreement_id, set()) if preloaded else None
    errors.extend(catalogue_issues(period, figures, included))
    warnings: list[Issue] = []
    if not bad_values:
        # Sums make sense only over whole numbers.
        errors.extend(_cross_field_issues(figures))
        warnings.extend(history_warnings(region, period, figures, preloaded))
    if not historical and period.is_late(today):
        params = {"deadline": period.deadline.isoformat()}
        warnings.append(
            Issue("late_filing", "", warning_text("late_filing", params), WARNING, params=params)
        )
    return ValidationResult(errors=errors, warnings=warnings)


def report_validate(
    *, version: ReportVersion, today: datetime.date | None = None, blank_cells: bool = False
) -> ValidationResult:
    """The checks for a version as its creator would submit it (absent cells count as 0).
    `blank_cells`: a draft's blank cells are a warning too (the browser's form, where
    a coordinator may leave a cell blank meaning "not known yet")."""
    from .selectors import figures_of

    report = version.report
    figures = figures_of(version)
    result = validate_figures(
        region=report.region,
        period=report.period,
        figures=figures,
        user=None,
        today=today,
    )
    if blank_cells and version.status == VersionStatus.DRAFT:
        blank = blank_cells_warning(report.period, figures)
        if blank is not None:
            return ValidationResult(errors=result.errors, warnings=[blank, *result.warnings])
    return result
