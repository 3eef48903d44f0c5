"""Villkor 3 2016–2020 is reported once a year: one report per region and year
(period code "2020"), one review, one payout run. This follows a 2020 report from
the region's system (API) and an upload, through FK's review in the browser, to the
payout run in the real worker and the statistics; and shows that quarter codes for a
yearly condition are refused with a message that says which period to use. The
reference data loads 2016–2020 this way (`V3_FREQUENCY`); nothing here converts it."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from payments.enums import RunStatus
from payments.models import PayoutLine, PayoutRun
from payments.services import run_start
from rehab.enums import AgeBand
from rehab.models import Agreement, PopulationFigure, Region, ReportingPeriod
from reporting.imports import report_import_file
from reporting.models import Report, ReportVersion
from reporting.selectors import figures_of
from reporting.validation import report_validate
from reporting.views.common import report_url
from tests.conftest import wait_for
from tests.factories import report_version

YEAR = 2020
POPULATIONS = {"01": 600_000, "03": 300_000, "04": 100_000}
MSEK = 1_000_000 * 100
QUARTER_REFUSED = (
    "Behandlingsrapporten för 2020 lämnas en gång om året: använd perioden 2020, inte 2020Q1."
)


def three_regions() -> None:
    """Regions 01, 03 and 04 active, with the figures 2020's money (1 Nov 2019, all
    ages) and statistics (1 Nov 2019, 16–67) follow."""
    Region.objects.exclude(code__in=POPULATIONS).update(active=False)
    for code, population in POPULATIONS.items():
        for band, share in ((AgeBand.TOTAL, 1.0), (AgeBand.AGE_16_67, 0.6)):
            PopulationFigure.objects.update_or_create(
                region_id=code,
                reference_date=datetime.date(2019, 11, 1),
                age_band=band,
                defaults={"population": round(population * share)},
            )


def csv_upload(*lines: str) -> SimpleUploadedFile:
    body = "region;period;item;sex;provider;value\n" + "\n".join(lines) + "\n"
    return SimpleUploadedFile("rapport.csv", body.encode("utf-8"), content_type="text/csv")


def test_2020_has_one_yearly_period_and_2012_four_quarters(ref):
    periods = ReportingPeriod.objects.filter(agreement__year=YEAR)
    assert [p.code for p in periods] == ["2020"]
    yearly = periods.get()
    assert (yearly.start_date, yearly.end_date) == (
        datetime.date(2020, 1, 1),
        datetime.date(2020, 12, 31),
    )
    assert yearly.deadline == datetime.date(2021, 8, 15)
    assert yearly.condition.code == "V3"
    assert [p.code for p in ReportingPeriod.objects.filter(agreement__year=2012)] == [
        "2012Q1",
        "2012Q2",
        "2012Q3",
        "2012Q4",
    ]


@pytest.mark.django_db
def test_a_quarterly_file_for_2020_is_refused_with_its_message(login, coordinator):
    before = ReportVersion.objects.count()
    result = report_import_file(
        name="q1.csv",
        data=csv_upload("01;2020Q1;KBT;F;PUBLIC;5").read(),
        acting_user=coordinator,
    )
    assert [e.message for e in result.errors] == [f"Rad 2, kolumn period: {QUARTER_REFUSED}"]
    # The same file uploaded to the report in the browser.
    client = login(coordinator)
    response = client.post(
        report_url("upload", "01", YEAR, None), {"file": csv_upload("01;2020Q1;KBT;F;PUBLIC;5")}
    )
    assert response.status_code == 422
    assert QUARTER_REFUSED in response.content.decode()
    # And a yearly code for a quarterly year (model A, 2012).
    result = report_import_file(
        name="2012.csv", data=csv_upload("01;2012;KBT;F;PUBLIC;5").read(), acting_user=coordinator
    )
    assert [e.message for e in result.errors] == [
        "Rad 2, kolumn period: Behandlingsrapporten för 2012 lämnas per kvartal: ange "
        "kvartalet, t.ex. 2012Q1, inte 2012."
    ]
    assert ReportVersion.objects.count() == before


@pytest.mark.django_db
def test_api_takes_period_2020_and_refuses_2020q1(api, coordinator):
    client = api(coordinator)
    refused = client.post("/api/v1/reports/", {"region": "01", "period": "2020Q1"})
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == QUARTER_REFUSED
    created = client.post("/api/v1/reports/", {"region": "01", "period": "2020"})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["period"], body["year"], body["quarter"]) == ("2020", 2020, None)
    listed = client.get("/api/v1/reports/?period=2020").json()
    assert [r["id"] for r in listed["results"]] == [body["id"]]
    assert client.get("/api/v1/reports/?period=2020Q1").json()["results"] == []
    periods = client.get("/api/v1/periods/?period=2020").json()["results"]
    assert [(p["label"], p["quarter"]) for p in periods] == [("2020", None)]


@pytest.mark.django_db
def test_yearly_report_is_compared_with_the_year_before(coordinator, case_officer):
    report_version(region="01", year=2019, user=case_officer, series={("KBT", "F", "PUBLIC"): 1304})
    draft = report_version(
        region="01",
        year=2020,
        user=coordinator,
        series={("KBT", "F", "PUBLIC"): 14},
        status="DRAFT",
    )
    messages = [w.message for w in report_validate(version=draft).warnings]
    assert (
        "Kognitiv beteendeterapi (KBT): 14 genomförda behandlingar jämfört med 1\xa0304 året innan"
        " (−99 %)."
    ) in messages
    assert any("de senaste 1 godkända åren" in m for m in messages)


@pytest.mark.django_db
def test_simulate_payouts_reads_yearly_period_codes(ref, tmp_path):
    three_regions()
    good = tmp_path / "2019.csv"
    good.write_text(
        "region;period;item;sex;provider;value\n"
        "01;2019;KBT;F;PUBLIC;50\n"
        "01;2019;EMPLOYER_CONTACT;F;;10\n"
        "03;2019;AF_CONTACT;M;;5\n",
        encoding="utf-8",
    )
    population = tmp_path / "pop.csv"
    population.write_text(
        "region;population\n" + "".join(f"{c};{p}\n" for c, p in POPULATIONS.items()),
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command(
        "simulate_payouts",
        "--agreement",
        "2019",
        "--input",
        str(good),
        "--population",
        str(population),
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    assert lines[0] == "region;period;component;amount_ore"
    assert "01;2019;base;30000000000" in lines  # 60 % of 500 MSEK
    assert "01;2019;bonus;3000000" in lines  # 10 contacts × 3 000 kr
    assert "03;2019;bonus;1500000" in lines
    bad = tmp_path / "q.csv"
    bad.write_text(
        "region;period;item;sex;provider;value\n01;2019Q3;KBT;F;PUBLIC;5\n", encoding="utf-8"
    )
    with pytest.raises(CommandError) as refused:
        call_command(
            "simulate_payouts",
            "--agreement",
            "2019",
            "--input",
            str(bad),
            "--population",
            str(population),
            stdout=io.StringIO(),
        )
    assert "använd perioden 2019, inte 2019Q3" in str(refused.value)


@pytest.mark.django_db(transaction=True)
def test_yearly_report_through_api_upload_review_payout_and_statistics(
    celery_worker, api, login, coordinator, other_coordinator, case_officer, approver
):
    three_regions()
    # Region 01's system files the yearly report through the API.
    system = api(coordinator)
    report = system.post("/api/v1/reports/", {"region": "01", "period": "2020"}).json()
    saved = system.put(
        f"/api/v1/reports/{report['id']}/draft/",
        {
            "lock_version": 0,
            "comment": "Hela 2020.",
            "series": [
                {"treatment": "KBT", "sex": "F", "provider": "PUBLIC", "value": 300},
                {"treatment": "MMR1", "sex": "M", "provider": "PRIVATE", "value": 100},
            ],
            "extras": [{"kind": "EMPLOYER_CONTACT", "sex": "M", "value": 120}],
        },
    )
    assert saved.status_code == 200, saved.json()
    checked = system.post(f"/api/v1/reports/{report['id']}/validate/").json()
    submitted = system.post(
        f"/api/v1/reports/{report['id']}/submit/",
        {
            "lock_version": saved.json()["lock_version"],
            "explanations": {w["key"]: "Sent inlämnad." for w in checked["warnings"]},
            "eligibility_confirmed": True,
        },
    )
    assert submitted.status_code == 200, submitted.json()

    # Region 03 uploads its yearly file in the browser and submits the form.
    browser = login(other_coordinator)
    upload = csv_upload("03;2020;KBT;F;PUBLIC;80", "03;2020;AF_CONTACT;F;;30")
    response = browser.post(report_url("upload", "03", YEAR, None), {"file": upload})
    assert response.headers["Location"] == report_url("upload_preview", "03", YEAR, None)
    browser.post(report_url("upload_preview", "03", YEAR, None))
    draft = ReportVersion.objects.get(report__region_id="03")
    assert figures_of(draft).cells() == {"KBT:F:PUBLIC": 80, "AF_CONTACT:F": 30}
    warnings = report_validate(version=draft).warnings
    response = browser.post(
        report_url("report", "03", YEAR, None),
        {
            "version": draft.number,
            "lock_version": draft.lock_version,
            "comment": "",
            "KBT:F:PUBLIC": "80",
            "AF_CONTACT:F": "30",
            "action": "submit",
            "eligibility_confirmed": "on",
            # the cells left blank are listed at submit and need 0 or an explanation
            "explain:blank_cells": "Övriga behandlingar gavs inte.",
            **{f"explain:{w.key}": "Sent." for w in warnings},
        },
    )
    assert response.headers["Location"] == report_url("version", "03", YEAR, None, 1)

    # FK reviews both in the browser: one review per region and year.
    fk = login(case_officer)
    for region in ("01", "03"):
        page = fk.get(report_url("review", region, YEAR, None)).content.decode()
        assert f"Granska 2020 – {Region.objects.get(code=region).name}, version 1" in page
        assert "2019 (godkänd)" in page
        response = fk.post(report_url("review", region, YEAR, None), {"action": "accept"})
        assert response.status_code == 302
    assert set(
        Report.objects.filter(accepted_version__isnull=False).values_list("region", flat=True)
    ) == {"01", "03"}

    # One payout run for the year, in the real worker: base for the two regions whose
    # yearly report is accepted, none yet for 04; bonus for their contacts.
    agreement = Agreement.objects.get(year=YEAR)
    run = run_start(agreement=agreement, quarter=None, acting_user=case_officer).run
    wait_for(lambda: PayoutRun.objects.get(pk=run.pk).status == RunStatus.CALCULATED)
    lines = {line.region_id: line for line in PayoutLine.objects.filter(run=run).order_by("region")}
    assert lines["01"].base_ore == 300 * MSEK  # 60 % of 500 MSEK
    assert lines["03"].base_ore == 150 * MSEK
    assert lines["04"].base_ore == 0
    assert lines["01"].bonus_ore == 120 * 3_000 * 100
    assert lines["03"].bonus_ore == 30 * 3_000 * 100
    run.refresh_from_db()
    assert run.inputs["accepted_year"] == ["01", "03"]
    assert run.period_label == "2020"

    # The statistics of 2020 count the yearly reports.
    html = fk.get("/statistik/2020/").content.decode()
    assert "Årsrapport" in html
    assert "Godkänd" in html
