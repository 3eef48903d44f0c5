"""A care unit's active from/to dates: figures for a period outside them are refused
(service, browser grid, browser upload; the API in tests/api/test_unit_upload.py) with
a Swedish message and nothing changed, and the coordinator's list shows such a unit
as not active rather than not started."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reporting.enums import UnitState
from reporting.models import Report, UnitFigures
from reporting.selectors import figures_of
from reporting.services import ReportError
from reporting.units import (
    latest_version,
    unit_figures_mark_ready,
    unit_figures_save,
    unit_states,
)

from .test_unit_figures import NORR, SODER

pytestmark = pytest.mark.django_db


def close_before(unit, period):
    """The unit's last active day is the day before the period starts."""
    unit.active_to = period.start_date - datetime.timedelta(days=1)
    unit.save()


def test_saving_outside_the_active_dates_is_refused_and_changes_nothing(
    units, period, reporter1, coordinator
):
    close_before(units[0], period)
    for user in (reporter1, coordinator):
        with pytest.raises(ReportError) as refused:
            unit_figures_save(
                unit=units[0], period=period, figures=NORR, lock_version=0, acting_user=user
            )
        assert refused.value.code == "unit_inactive"
        last_day = units[0].active_to.isoformat()
        assert refused.value.message == (
            f"Vårdcentralen Norr är inte aktiv under {period.label} (aktiv till {last_day}): "
            "enheten kan inte ha siffror för perioden. Inget sparades."
        )
    assert not Report.objects.exists()  # not even the region's report was started
    # A unit that starts after the period is refused the same way.
    units[1].active_from = period.end_date + datetime.timedelta(days=1)
    units[1].save()
    with pytest.raises(ReportError, match="aktiv från"):
        unit_figures_save(
            unit=units[1], period=period, figures=SODER, lock_version=0, acting_user=coordinator
        )
    assert not UnitFigures.objects.exists()


def test_a_unit_active_some_day_of_the_period_reports(units, period, reporter1):
    units[0].active_from = period.start_date - datetime.timedelta(days=400)
    units[0].active_to = period.start_date  # closed on the period's first day
    units[0].save()
    unit_figures_save(
        unit=units[0], period=period, figures=NORR, lock_version=0, acting_user=reporter1
    )
    assert figures_of(latest_version("01", period)).cells()["KBT:F:PUBLIC"] == 10


def test_ready_is_refused_once_the_dates_leave_the_period(units, period, reporter1):
    unit_figures_save(
        unit=units[0], period=period, figures=NORR, lock_version=0, acting_user=reporter1
    )
    close_before(units[0], period)
    with pytest.raises(ReportError) as refused:
        unit_figures_mark_ready(unit=units[0], period=period, lock_version=1, acting_user=reporter1)
    assert refused.value.code == "unit_inactive"
    uf = UnitFigures.objects.get(unit=units[0])
    assert (uf.status, uf.lock_version) == ("DRAFT", 1)


def test_coordinators_list_shows_inactive_units_not_as_not_started(
    login, units, period, reporter2, coordinator
):
    close_before(units[0], period)
    states = {row.unit.name: (row.state, row.active) for row in unit_states("01", period)}
    assert states == {
        "Vårdcentralen Norr": (UnitState.INACTIVE, False),
        "Vårdcentralen Söder": (UnitState.NOT_STARTED, True),
        "Privata kliniken": (UnitState.NOT_STARTED, True),
    }
    html = (
        login(coordinator)
        .get(reverse("reporting:unit_table", args=["01", period.pk]))
        .content.decode()
    )
    assert "Ej påbörjade: 2 · utkast: 0 · klara: 0 · inte aktiva under perioden: 1" in html
    assert f'data-unit="{units[0].pk}" data-state="INACTIVE" class="inactive"' in html
    assert "<td>Inte aktiv</td>" in html


def test_unit_with_figures_saved_before_its_dates_changed_keeps_its_state(
    login, units, period, reporter1, coordinator
):
    unit_figures_save(
        unit=units[0], period=period, figures=NORR, lock_version=0, acting_user=reporter1
    )
    close_before(units[0], period)
    row = next(r for r in unit_states("01", period) if r.unit == units[0])
    assert (row.state, row.active, row.series_total) == (UnitState.DRAFT, False, 16)
    html = (
        login(coordinator)
        .get(reverse("reporting:unit_table", args=["01", period.pk]))
        .content.decode()
    )
    assert 'Utkast <span class="muted">(inte aktiv under perioden)</span>' in html


def test_browser_grid_and_upload_refuse_with_the_message(login, units, period, reporter1):
    close_before(units[0], period)
    client = login(reporter1)
    url = reverse("reporting:unit_figures", args=[units[0].pk, period.pk])
    page = client.get(url).content.decode()
    assert "Vårdcentralen Norr är inte aktiv under" in page
    assert 'name="KBT:F:PUBLIC"' not in page  # read-only grid
    assert 'data-unit-state="INACTIVE"' in page
    # A form opened before the dates changed is posted: refused, with the message.
    posted = client.post(
        url,
        {"version": 0, "lock_version": 0, "KBT:F:PUBLIC": "3", "action": "save"},
        follow=True,
    )
    assert "är inte aktiv under" in posted.content.decode()
    label = period.label
    data = f"region;period;item;sex;provider;value\n01;{label};KBT;F;PUBLIC;4\n".encode()
    uploaded = client.post(
        reverse("reporting:unit_upload", args=[units[0].pk, period.pk]),
        {"lock_version": 0, "file": SimpleUploadedFile("norr.csv", data)},
        follow=True,
    )
    html = uploaded.content.decode()
    assert "Filen lästes inte in: inget sparades." in html
    assert "är inte aktiv under" in html
    assert not Report.objects.exists()
    unit_page = client.get(reverse("reporting:unit_page", args=[units[0].pk])).content.decode()
    assert url not in unit_page  # the period is not offered to fill in
