"""Units report their own figures; the region's draft is their sum, frozen with the
submitted version and opened again by a correction."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from reporting.enums import UnitFiguresStatus, UnitState, VersionStatus
from reporting.figures import Figures
from reporting.models import Report, UnitFigures, UnitSeriesCount
from reporting.selectors import figures_of
from reporting.services import (
    InvalidTransition,
    NotAllowed,
    ReportError,
    StaleDraft,
    ValidationFailed,
    report_accept,
    report_save_draft,
    report_start_correction,
    report_submit,
)
from reporting.units import (
    latest_version,
    unit_breakdown,
    unit_figures_mark_ready,
    unit_figures_save,
    unit_states,
)

NORR = Figures(
    series={("KBT", "F", "PUBLIC"): 10, ("KBT", "M", "PUBLIC"): 4, ("MMR1", "F", "PUBLIC"): 2},
    extras={("EMPLOYER_CONTACT", "F"): 3},
)
SODER = Figures(
    series={("KBT", "F", "PUBLIC"): 7, ("IPT", "M", "PUBLIC"): 5},
    extras={("EMPLOYER_CONTACT", "F"): 1, ("AF_CONTACT", "M"): 2},
)
PRIVAT = Figures(series={("KBT", "F", "PRIVATE"): 20, ("MMR2", "M", "PRIVATE"): 6})


def fill_all(units, period, reporter1, reporter2, coordinator):
    unit_figures_save(
        unit=units[0], period=period, figures=NORR, lock_version=0, acting_user=reporter1
    )
    unit_figures_save(
        unit=units[1],
        period=period,
        figures=SODER,
        lock_version=0,
        acting_user=reporter2,
        ready=True,
    )
    # The private clinic does not report itself: the coordinator enters its figures.
    unit_figures_save(
        unit=units[2], period=period, figures=PRIVAT, lock_version=0, acting_user=coordinator
    )
    return latest_version("01", period)


def test_region_draft_is_the_sum_of_the_units_cell_by_cell(
    units, period, reporter1, reporter2, coordinator
):
    version = fill_all(units, period, reporter1, reporter2, coordinator)
    assert version.status == VersionStatus.DRAFT
    assert figures_of(version).cells() == {
        "KBT:F:PUBLIC": 17,
        "KBT:M:PUBLIC": 4,
        "MMR1:F:PUBLIC": 2,
        "IPT:M:PUBLIC": 5,
        "KBT:F:PRIVATE": 20,
        "MMR2:M:PRIVATE": 6,
        "EMPLOYER_CONTACT:F": 4,
        "AF_CONTACT:M": 2,
    }
    assert unit_breakdown(version)["KBT:F:PUBLIC"] == [
        ("Vårdcentralen Norr", 10),
        ("Vårdcentralen Söder", 7),
    ]
    states = {row.unit.name: row.state for row in unit_states("01", period)}
    assert states == {
        "Vårdcentralen Norr": UnitState.DRAFT,
        "Vårdcentralen Söder": UnitState.READY,
        "Privata kliniken": UnitState.DRAFT,
    }


def test_a_change_in_one_unit_changes_the_region_draft(
    units, period, reporter1, reporter2, coordinator
):
    version = fill_all(units, period, reporter1, reporter2, coordinator)
    lock_before = version.lock_version
    changed = Figures(series={**NORR.series, ("KBT", "F", "PUBLIC"): 30}, extras=NORR.extras)
    unit_figures_save(
        unit=units[0], period=period, figures=changed, lock_version=1, acting_user=reporter1
    )
    version.refresh_from_db()
    assert figures_of(version).cells()["KBT:F:PUBLIC"] == 37
    assert version.lock_version == lock_before + 1  # an open grid of the region is now stale


def test_status_not_started_until_the_unit_saves(units, period, reporter1):
    assert {row.state for row in unit_states("01", period)} == {UnitState.NOT_STARTED}
    with pytest.raises(ReportError) as refused:
        unit_figures_mark_ready(unit=units[0], period=period, lock_version=0, acting_user=reporter1)
    assert refused.value.code == "not_started"
    unit_figures_save(
        unit=units[0], period=period, figures=NORR, lock_version=0, acting_user=reporter1
    )
    unit_figures_mark_ready(unit=units[0], period=period, lock_version=1, acting_user=reporter1)
    assert UnitFigures.objects.get(unit=units[0]).status == UnitFiguresStatus.READY


def test_a_unit_saving_over_someone_elses_save_is_refused(units, period, reporter1, coordinator):
    unit_figures_save(
        unit=units[0], period=period, figures=NORR, lock_version=0, acting_user=reporter1
    )
    with pytest.raises(StaleDraft):
        unit_figures_save(
            unit=units[0], period=period, figures=SODER, lock_version=0, acting_user=coordinator
        )
    assert figures_of(latest_version("01", period)).cells()["KBT:F:PUBLIC"] == 10


def test_provider_column_is_fixed_by_the_unit(units, period, reporter1):
    wrong = Figures(series={("KBT", "F", "PRIVATE"): 1})
    with pytest.raises(ValidationFailed) as refused:
        unit_figures_save(
            unit=units[0], period=period, figures=wrong, lock_version=0, acting_user=reporter1
        )
    assert [i.key for i in refused.value.result.errors] == ["KBT:F:PRIVATE"]
    assert not UnitSeriesCount.objects.exists()


def test_unit_reporter_cannot_enter_another_units_figures(units, period, reporter1, viewer):
    for user, unit in ((reporter1, units[1]), (viewer, units[0])):
        with pytest.raises(NotAllowed):
            unit_figures_save(
                unit=unit, period=period, figures=NORR, lock_version=0, acting_user=user
            )
    assert not Report.objects.exists()


def test_region_figures_cannot_be_typed_over_the_units_sum(
    units, period, reporter1, reporter2, coordinator
):
    version = fill_all(units, period, reporter1, reporter2, coordinator)
    with pytest.raises(ReportError) as refused:
        report_save_draft(
            version=version,
            figures=Figures(series={("KBT", "F", "PUBLIC"): 1}),
            lock_version=version.lock_version,
            acting_user=coordinator,
        )
    assert refused.value.code == "per_unit"
    # The comment alone may change.
    saved = figures_of(version)
    report_save_draft(
        version=version,
        figures=Figures(series=saved.series, extras=saved.extras, comment="Tre enheter."),
        lock_version=version.lock_version,
        acting_user=coordinator,
    )


def submit(version, coordinator):
    return report_submit(
        version=version,
        lock_version=version.lock_version,
        explanations={"": "Sent."},
        eligibility_confirmed=True,
        acting_user=coordinator,
    )


def test_after_submit_unit_figures_are_frozen_and_a_correction_opens_them(
    units, period, reporter1, reporter2, coordinator, case_officer
):
    version = fill_all(units, period, reporter1, reporter2, coordinator)
    submit(version, coordinator)
    with pytest.raises(InvalidTransition) as refused:
        unit_figures_save(
            unit=units[0], period=period, figures=SODER, lock_version=1, acting_user=reporter1
        )
    assert refused.value.code == "frozen"
    # The database refuses it too, whoever writes.
    row = UnitSeriesCount.objects.filter(unit_figures__version=version).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitSeriesCount.objects.filter(pk=row.pk).update(value=999)
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitFigures.objects.filter(version=version).update(status="DRAFT")

    report_accept(version=version, acting_user=case_officer)
    correction = report_start_correction(
        report=Report.objects.get(pk=version.report_id),
        reason="Norr räknade fel.",
        acting_user=coordinator,
    )
    assert unit_breakdown(correction) == unit_breakdown(version)
    fixed = Figures(series={**NORR.series, ("KBT", "F", "PUBLIC"): 12}, extras=NORR.extras)
    unit_figures_save(
        unit=units[0], period=period, figures=fixed, lock_version=1, acting_user=reporter1
    )
    correction.refresh_from_db()
    assert figures_of(correction).cells()["KBT:F:PUBLIC"] == 19
    # The accepted version keeps its figures and its units' figures.
    assert figures_of(version).cells()["KBT:F:PUBLIC"] == 17
    assert dict(unit_breakdown(version)["KBT:F:PUBLIC"])["Vårdcentralen Norr"] == 10


def test_without_per_unit_collection_units_cannot_report(units, period, reporter1):
    from rehab.models import UnitCollection

    UnitCollection.objects.update(per_unit=False)
    with pytest.raises(ReportError) as refused:
        unit_figures_save(
            unit=units[0], period=period, figures=NORR, lock_version=0, acting_user=reporter1
        )
    assert refused.value.code == "not_per_unit"
