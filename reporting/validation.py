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
from dataclasses import dataclass, field

from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from rehab.formatting import format_int
from rehab.models import AgreementTreatment, Region, ReportingPeriod, User
from rehab.permissions import Action, can
from rehab.selectors import period_code

from .enums import ExtraKind, Provider, Sex
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


def catalogue_issues(period: ReportingPeriod, figures: Figures) -> list[Issue]:
    """Treatments the agreement does not include; video where it is not asked for."""
    included = included_treatments(period)
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


def history_warnings(
    region: Region | str, period: ReportingPeriod, figures: Figures
) -> list[Issue]:
    """Deviation and drop-to-zero warnings against the region's accepted quarters."""
    settings = ValidationSettings.current()
    history = _history(region, period)
    if not history.quarters:
        return []
    totals = figures.treatment_totals()
    included = included_treatments(period)
    year, quarter = period.agreement.year, period.quarter
    last_year = history.get(year - 1, quarter)
    latest_y, latest_q, latest_totals, latest_included = history.quarters[0]
    recent = history.quarters[: settings.recent_quarters]
    warnings: list[Issue] = []
    for treatment in sorted(included):
        new = totals.get(treatment, 0)
        if new == 0 and treatment in latest_included and latest_totals.get(treatment, 0) > 0:
            warnings.append(
                Issue(
                    "drop_to_zero",
                    f"{treatment}:drop_to_zero",
                    _("%(treatment)s: 0 genomförda behandlingar, men %(before)s under %(label)s.")
                    % {
                        "treatment": treatment,
                        "before": format_int(latest_totals[treatment]),
                        "label": period_code(latest_y, latest_q),
                    },
                    WARNING,
                    treatment,
                )
            )
            continue
        if last_year is not None and treatment in last_year[1]:
            base = last_year[0].get(treatment, 0)
            if _far(new, base, settings):
                warnings.append(
                    Issue(
                        "deviation_previous_year",
                        f"{treatment}:deviation_previous_year",
                        (
                            _(
                                "%(treatment)s: %(new)s genomförda behandlingar jämfört med "
                                "%(base)s samma kvartal året innan (%(change)s)."
                            )
                            if quarter is not None
                            else _(
                                "%(treatment)s: %(new)s genomförda behandlingar jämfört med "
                                "%(base)s året innan (%(change)s)."
                            )
                        )
                        % {
                            "treatment": treatment,
                            "new": format_int(new),
                            "base": format_int(base),
                            "change": _percent(new, base),
                        },
                        WARNING,
                        treatment,
                    )
                )
        compared = [t.get(treatment, 0) for _y, _q, t, inc in recent if treatment in inc]
        if compared:
            average = sum(compared) / len(compared)
            if _far(new, average, settings):
                warnings.append(
                    Issue(
                        "deviation_recent_average",
                        f"{treatment}:deviation_recent_average",
                        (
                            _(
                                "%(treatment)s: %(new)s genomförda behandlingar jämfört med i "
                                "genomsnitt %(base)s de senaste %(count)s godkända kvartalen "
                                "(%(change)s)."
                            )
                            if quarter is not None
                            else _(
                                "%(treatment)s: %(new)s genomförda behandlingar jämfört med i "
                                "genomsnitt %(base)s de senaste %(count)s godkända åren "
                                "(%(change)s)."
                            )
                        )
                        % {
                            "treatment": treatment,
                            "new": format_int(new),
                            "base": format_int(round(average)),
                            "count": len(compared),
                            "change": _percent(new, round(average)),
                        },
                        WARNING,
                        treatment,
                    )
                )
    return warnings


# --------------------------------------------------------------------------- entry points


def validate_figures(
    *,
    region: Region,
    period: ReportingPeriod,
    figures: Figures,
    user: User | None,
    today: datetime.date | None = None,
    historical: bool = False,
) -> ValidationResult:
    """Every error and warning of spec §5 for `figures` as region's report for period.

    `user` None skips the region check (a system or FK load). `historical` (an
    import of accepted figures from earlier years) skips the period-open and
    late-filing rules.
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
    errors.extend(catalogue_issues(period, figures))
    warnings: list[Issue] = []
    if not bad_values:
        # Sums make sense only over whole numbers.
        errors.extend(_cross_field_issues(figures))
        warnings.extend(history_warnings(region, period, figures))
    if not historical and period.is_late(today):
        warnings.append(
            Issue(
                "late_filing",
                "",
                _("Rapporten lämnas in efter sista dag %(deadline)s.")
                % {"deadline": period.deadline.isoformat()},
                WARNING,
            )
        )
    return ValidationResult(errors=errors, warnings=warnings)


def report_validate(
    *, version: ReportVersion, today: datetime.date | None = None
) -> ValidationResult:
    """The checks for a version as its creator would submit it (absent cells count as 0)."""
    from .selectors import figures_of

    report = version.report
    return validate_figures(
        region=report.region,
        period=report.period,
        figures=figures_of(version),
        user=None,
        today=today,
    )
