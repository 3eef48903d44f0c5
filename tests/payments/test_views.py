"""Payout pages: who may see and do what, the run page with its polling, failure and
retry, approval, exports with checksums, decisions, a region's payouts, the draft
preview, and query counts at two sizes."""

from __future__ import annotations

import hashlib
import io

import openpyxl
import pytest
from django.urls import reverse

from payments.enums import ExportKind, RunStatus
from payments.exports import payment_date
from payments.models import PayoutExport, PayoutRun
from payments.services import RunError, run_approve, run_compute, run_export, run_start
from rehab.bankgiro import luhn_ok
from rehab.models import AgreementTreatment, Region
from tests.factories import report_version
from tests.payments.conftest import EXAMPLE_A_YEAR, EXAMPLE_B_YEAR, SERIES, A, B, C, accept_series

pytestmark = pytest.mark.django_db


def computed_quarter(agreement, quarter, user, coordinator):
    for region in (A, B, C):
        accept_series(region, EXAMPLE_A_YEAR, quarter, coordinator, SERIES[region][quarter])
    run = run_start(agreement=agreement, quarter=quarter, acting_user=user).run
    run_compute(run_id=run.pk)
    run.refresh_from_db()
    return run


@pytest.fixture
def approved_q1(example_a, case_officer, approver, coordinator):
    run = computed_quarter(example_a, 1, case_officer, coordinator)
    return run_approve(run=run, acting_user=approver)


# --------------------------------------------------------------------------- access


@pytest.mark.parametrize("user", ["coordinator", "viewer", "other_coordinator"])
def test_region_users_cannot_see_runs(request, login, approved_q1, user):
    client = login(request.getfixturevalue(user))
    # Not their pages: 403 with the reason (issue 15).
    response = client.get(reverse("payments:runs"))
    assert response.status_code == 403
    assert "Sidan är för Försäkringskassan och administratörer." in response.content.decode()
    assert client.get(reverse("payments:run", args=[approved_q1.pk])).status_code == 403
    assert client.get(reverse("payments:run_status", args=[approved_q1.pk])).status_code == 403


def test_coordinator_cannot_start_or_approve(login, coordinator, example_a, case_officer):
    client = login(coordinator)
    response = client.post(
        reverse("payments:run_start"), {"agreement": EXAMPLE_A_YEAR, "period": "Q1"}
    )
    assert response.status_code == 403
    assert PayoutRun.objects.count() == 0
    run = run_start(agreement=example_a, quarter=1, acting_user=case_officer).run
    run_compute(run_id=run.pk)
    assert client.post(reverse("payments:run_approve", args=[run.pk])).status_code == 403
    run.refresh_from_db()
    assert run.status == RunStatus.CALCULATED


def test_coordinator_cannot_see_another_regions_payouts(login, coordinator, approved_q1):
    client = login(coordinator)
    assert client.get(reverse("payments:region_payouts") + "?region=03").status_code == 200
    # The ?region= of a region user is ignored: they always see their own region.
    page = client.get(reverse("payments:region_payouts") + "?region=03").content.decode()
    assert "Region Stockholm" in page
    assert "Region Uppsala" not in page
    run_export(
        run=approved_q1,
        kind=ExportKind.DECISION,
        region=approved_q1.lines.get(region_id=B).region,
        acting_user=approved_q1.approved_by,
    )
    decision_b = reverse("payments:decision", args=[approved_q1.pk, B])
    assert client.get(decision_b).status_code == 404
    export = PayoutExport.objects.get(region_id=B)
    assert client.get(reverse("payments:export_download", args=[export.pk])).status_code == 404


def test_case_officer_cannot_approve(login, case_officer_2, example_a, case_officer, coordinator):
    run = computed_quarter(example_a, 1, case_officer, coordinator)
    response = login(case_officer_2).post(reverse("payments:run_approve", args=[run.pk]))
    assert response.status_code == 403


def test_approver_cannot_start(login, approver, example_a):
    response = login(approver).post(
        reverse("payments:run_start"), {"agreement": EXAMPLE_A_YEAR, "period": "Q1"}
    )
    assert response.status_code == 403


# --------------------------------------------------------------------------- runs


def test_start_run_redirects_to_the_polling_run_page(login, case_officer, example_a):
    client = login(case_officer)
    response = client.post(
        reverse("payments:run_start"), {"agreement": EXAMPLE_A_YEAR, "period": "Q2"}
    )
    run = PayoutRun.objects.get()
    assert (run.quarter, run.status, run.started_by) == (2, RunStatus.QUEUED, case_officer)
    assert response.status_code == 302
    assert response.url == reverse("payments:run", args=[run.pk])
    page = client.get(response.url).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert f'hx-get="{reverse("payments:run_status", args=[run.pk])}"' in page
    assert "I kö" in page

    # Starting it again leads to the same run.
    again = client.post(
        reverse("payments:run_start"), {"agreement": EXAMPLE_A_YEAR, "period": "Q2"}
    )
    assert again.url == response.url
    assert PayoutRun.objects.count() == 1


def test_status_partial_reloads_the_page_once_done(login, case_officer, example_a, coordinator):
    client = login(case_officer)
    run = run_start(agreement=example_a, quarter=1, acting_user=case_officer).run
    url = reverse("payments:run_status", args=[run.pk])
    pending = client.get(url, HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in pending.headers
    assert 'hx-trigger="every 2s"' in pending.content.decode()
    run_compute(run_id=run.pk)
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert done.headers["HX-Refresh"] == "true"
    assert "every 2s" not in done.content.decode()


def test_model_b_form_refuses_a_quarter(login, case_officer, example_b):
    response = login(case_officer).post(
        reverse("payments:run_start"), {"agreement": EXAMPLE_B_YEAR, "period": "Q1"}
    )
    assert response.status_code == 400
    assert "betalas en gång om året: välj helår" in response.content.decode()
    assert PayoutRun.objects.count() == 0


def test_run_page_shows_lines_explanations_and_reconciled_totals(
    login, approver, example_a, case_officer, coordinator
):
    run = computed_quarter(example_a, 1, case_officer, coordinator)
    page = login(approver).get(reverse("payments:run", args=[run.pk])).content.decode()
    assert "1\xa0820\xa0000,00" in page
    assert "3\xa0000\xa0000,00" in page
    assert "Summorna stämmer mot ramen." in page
    assert (
        "KBT: 100 behandlingar × (12\xa0000,00\xa0kr + tillägg 1\xa0000,00\xa0kr) = 1\xa0300\xa0000,00\xa0kr."  # noqa: E501 (no-break spaces)
        in page
    )
    assert (
        "Tak: ramen 10\xa0000\xa0000,00\xa0kr fördelad efter befolkning, 300\xa0000 av 1\xa0000\xa0000 invånare "  # noqa: E501 (no-break spaces)
        "(30,0\xa0%) = 3\xa0000\xa0000,00\xa0kr." in page
    )
    assert (
        "Berättigat: det lägsta av intjänat och tak = 3\xa0000\xa0000,00\xa0kr (taket är nått)."
        in page
    )
    assert "Attestera" in page
    assert "every 2s" not in page


def test_failed_run_shows_reason_and_retry(login, case_officer, example_a, coordinator):
    AgreementTreatment.objects.filter(agreement=example_a, treatment_id="KBT").update(rate_ore=None)
    accept_series(A, EXAMPLE_A_YEAR, 1, coordinator, SERIES[A][1])
    run = run_start(agreement=example_a, quarter=1, acting_user=case_officer).run
    run_compute(run_id=run.pk)
    client = login(case_officer)
    page = client.get(reverse("payments:run", args=[run.pk])).content.decode()
    assert "Körningen misslyckades." in page
    assert "Ersättning per behandling saknas i överenskommelsen 2099 för: KBT." in page
    assert reverse("payments:run_retry", args=[run.pk]) in page

    AgreementTreatment.objects.filter(agreement=example_a, treatment_id="KBT").update(
        rate_ore=1_200_000
    )
    response = client.post(reverse("payments:run_retry", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED
    run_compute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.CALCULATED


def test_approve_through_the_page(login, approver, example_a, case_officer, coordinator):
    run = computed_quarter(example_a, 1, case_officer, coordinator)
    response = login(approver).post(reverse("payments:run_approve", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.approved_by) == (RunStatus.APPROVED, approver)


# --------------------------------------------------------------------------- exports


def test_csv_payment_file_is_recorded_with_its_checksum(login, approver, approved_q1):
    client = login(approver)
    response = client.post(
        reverse("payments:run_export", args=[approved_q1.pk]), {"kind": ExportKind.CSV}
    )
    assert response.status_code == 302
    export = PayoutExport.objects.get()
    content = bytes(export.content)
    assert export.sha256 == hashlib.sha256(content).hexdigest()
    assert export.created_by == approver
    reference = approved_q1.reference
    day = payment_date(approved_q1).isoformat()
    bankgiro = {code: Region.objects.get(code=code).bankgiro for code in (A, B, C)}
    assert content.decode("utf-8").splitlines() == [
        "lan_kod;region;belopp_kronor;belopp_ore;referens;"
        "varav_justering_kronor;varav_justering_ore;bankgiro;betalningsdag",
        f"01;Region Stockholm;1820000,00;182000000;{reference}-01;0,00;0;{bankgiro[A]};{day}",
        f"03;Region Uppsala;3000000,00;300000000;{reference}-03;0,00;0;{bankgiro[B]};{day}",
        f"04;Region Sörmland;130000,00;13000000;{reference}-04;0,00;0;{bankgiro[C]};{day}",
        f"SUMMA;;4950000,00;495000000;{reference};0,00;0;;{day}",
    ]
    assert all(luhn_ok(number.replace("-", "")) for number in bankgiro.values())
    download = client.get(reverse("payments:export_download", args=[export.pk]))
    assert download.content == content
    assert download["X-Checksum-SHA256"] == export.sha256
    assert "no-store" in download["Cache-Control"]  # never kept in a browser or proxy cache
    page = client.get(reverse("payments:run", args=[approved_q1.pk])).content.decode()
    assert export.sha256 in page


def test_payment_files_never_carry_a_live_formula(login, approver, approved_q1):
    # A name an administrator typed is text in the file, not a formula Excel would run.
    Region.objects.filter(code=A).update(name="=2+5")
    client = login(approver)
    for kind in (ExportKind.CSV, ExportKind.XLSX):
        client.post(reverse("payments:run_export", args=[approved_q1.pk]), {"kind": kind})
    csv_file = PayoutExport.objects.get(kind=ExportKind.CSV)
    line = bytes(csv_file.content).decode("utf-8").splitlines()[1]
    assert line.startswith("01;'=2+5;")
    xlsx_file = PayoutExport.objects.get(kind=ExportKind.XLSX)
    sheet = openpyxl.load_workbook(io.BytesIO(bytes(xlsx_file.content))).active
    cell = sheet.cell(row=2, column=2)
    assert (cell.value, cell.data_type) == ("'=2+5", "s")


def test_xlsx_payment_file(login, case_officer, approved_q1):
    login(case_officer).post(
        reverse("payments:run_export", args=[approved_q1.pk]), {"kind": ExportKind.XLSX}
    )
    export = PayoutExport.objects.get()
    sheet = openpyxl.load_workbook(io.BytesIO(bytes(export.content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "lan_kod",
        "region",
        "belopp_kronor",
        "belopp_ore",
        "referens",
        "varav_justering_kronor",
        "varav_justering_ore",
        "bankgiro",
        "betalningsdag",
    )
    assert rows[1][:4] == ("01", "Region Stockholm", 1820000, 182000000)
    assert rows[1][7] == Region.objects.get(code=A).bankgiro
    assert rows[1][8].date() == payment_date(approved_q1)
    assert rows[-1][:4] == ("SUMMA", None, 4950000, 495000000)
    assert export.sha256 == hashlib.sha256(bytes(export.content)).hexdigest()


def test_payment_file_refused_while_regions_lack_a_bankgiro(login, approver, approved_q1):
    """Issue 15: no payment file without somewhere to pay; the message names the regions."""
    Region.objects.filter(code__in=[B, C]).update(bankgiro="")
    client = login(approver)
    for kind in (ExportKind.CSV, ExportKind.XLSX):
        response = client.post(
            reverse("payments:run_export", args=[approved_q1.pk]), {"kind": kind}, follow=True
        )
        page = response.content.decode()
        assert "bankgiro saknas för 03 Region Uppsala, 04 Region Sörmland" in page
    assert PayoutExport.objects.count() == 0
    with pytest.raises(RunError, match="bankgiro saknas för 03 Region Uppsala"):
        run_export(run=approved_q1, kind=ExportKind.CSV, acting_user=approver)


def test_payment_date_is_the_due_date_unless_approval_is_later(approved_q1):
    import datetime

    from django.utils import timezone

    approved = timezone.localdate(approved_q1.approved_at)
    agreement = approved_q1.agreement
    agreement.payment_due = approved + datetime.timedelta(days=10)
    assert payment_date(approved_q1) == approved + datetime.timedelta(days=10)
    agreement.payment_due = approved - datetime.timedelta(days=1)
    assert payment_date(approved_q1) == approved


def test_unapproved_run_cannot_be_exported(login, approver, example_a, case_officer, coordinator):
    run = computed_quarter(example_a, 1, case_officer, coordinator)
    login(approver).post(reverse("payments:run_export", args=[run.pk]), {"kind": ExportKind.CSV})
    assert PayoutExport.objects.count() == 0


def test_decisions_are_issued_and_printable(login, approver, coordinator, approved_q1):
    client = login(approver)
    client.post(
        reverse("payments:run_export", args=[approved_q1.pk]), {"kind": ExportKind.DECISION}
    )
    assert sorted(PayoutExport.objects.values_list("region_id", flat=True)) == [A, B, C]
    decision = PayoutExport.objects.get(region_id=A)
    page = client.get(reverse("payments:decision", args=[approved_q1.pk, A])).content.decode()
    assert "Beslut om utbetalning" in page
    assert "Försäkringskassan betalar ut 1\xa0820\xa0000,00 kr till regionen." in page
    assert decision.sha256 in page
    # How to appeal, and whom to contact (issue 15).
    assert "Så här överklagar du" in page
    assert "inom tre veckor från den dag regionen fick del av beslutet" in page
    assert "44 § förvaltningslagen" in page
    assert f"referens {approved_q1.reference}-{A}" in page
    assert "Frågor om beslutet: Försäkringskassan" in page
    assert "css/payments.css" in page
    assert bytes(decision.content).decode() in page

    # The region's own coordinator reads its decision.
    own = login(coordinator).get(reverse("payments:decision", args=[approved_q1.pk, A]))
    assert own.status_code == 200
    assert "no-store" in own["Cache-Control"]
    assert decision.sha256 in own.content.decode()


# --------------------------------------------------------------------------- region


def test_region_payouts_show_periods_and_ceiling_used(
    login, coordinator, example_a, case_officer, approver
):
    for quarter in (1, 2):
        run = computed_quarter(example_a, quarter, case_officer, coordinator)
        run_approve(run=run, acting_user=approver)
    page = login(coordinator).get(reverse("payments:region_payouts")).content.decode()
    assert "2099Q1" in page
    assert "2099Q2" in page
    # 1,820,000 + 2,080,000 of a 5,000,000 ceiling.
    assert "3\xa0900\xa0000,00" in page
    assert "78,0\xa0%" in page
    assert "1\xa0100\xa0000,00" in page
    assert "/beslut/" not in page  # no decision issued yet, so no link to one


# --------------------------------------------------------------------------- preview


def test_preview_of_a_draft(login, coordinator, example_a, case_officer, approver):
    approved = computed_quarter(example_a, 1, case_officer, coordinator)
    run_approve(run=approved, acting_user=approver)
    draft = report_version(
        region=A,
        year=EXAMPLE_A_YEAR,
        quarter=2,
        user=coordinator,
        series={("KBT", "F", "PUBLIC"): 120, ("MMR1", "M", "PRIVATE"): 20},
        status="DRAFT",
    )
    url = reverse("payments:preview", args=[draft.pk])
    client = login(coordinator)
    page = client.get(url).content.decode()
    assert "Utbetalning för kvartal 2" in page
    assert "2\xa0080\xa0000,00" in page  # the spec's Q2 payout for A
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<section class="payout-preview card"')
    assert "2\xa0080\xa0000,00" in partial


def test_preview_refused_for_another_region(login, other_coordinator, coordinator, example_a):
    draft = report_version(
        region=A, year=EXAMPLE_A_YEAR, quarter=1, user=coordinator, status="DRAFT"
    )
    response = login(other_coordinator).get(reverse("payments:preview", args=[draft.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("user", ["case_officer", "approver", "admin_user"])
def test_preview_of_a_regions_draft_is_hidden_from_fk(request, login, coordinator, example_a, user):
    """A draft is the region's work in progress (FK sees submitted versions only)."""
    draft = report_version(
        region=A, year=EXAMPLE_A_YEAR, quarter=1, user=coordinator, status="DRAFT"
    )
    submitted = report_version(
        region=C, year=EXAMPLE_A_YEAR, quarter=1, user=coordinator, status="SUBMITTED"
    )
    client = login(request.getfixturevalue(user))
    assert client.get(reverse("payments:preview", args=[draft.pk])).status_code == 404
    assert client.get(reverse("payments:preview", args=[submitted.pk])).status_code == 200


# --------------------------------------------------------------------------- query counts


def _queued_runs(case_officer, years):
    from rehab.models import Agreement

    for year in years:
        agreement = Agreement.objects.get(year=year)
        quarter = 1 if agreement.payout_model == "A" else None
        run_start(agreement=agreement, quarter=quarter, acting_user=case_officer)


@pytest.mark.parametrize("years", [[2012], [2012, 2013, 2014, 2019, 2020]])
def test_runs_list_query_count(login, case_officer, django_assert_num_queries, years):
    _queued_runs(case_officer, years)
    client = login(case_officer)
    # computed (the data is this test's own, uncommitted): the data version + 7 (the
    # session comes from the cache), and
    # the start form's agreement, paid quarters and accepted regions per period (4: the
    # form shows 2020, reported once a year, so no count of regions with all four
    # quarters); tests/rehab/test_page_cache.py has the cached case
    with django_assert_num_queries(12):
        response = client.get(reverse("payments:runs"))
    assert response.content.decode().count('class="badge run-queued"') == len(years)


@pytest.mark.parametrize("quarters", [1, 3])
def test_region_payouts_query_count(
    login, coordinator, example_a, case_officer, approver, django_assert_num_queries, quarters
):
    for quarter in range(1, quarters + 1):
        run = computed_quarter(example_a, quarter, case_officer, coordinator)
        run_approve(run=run, acting_user=approver)
    client = login(coordinator)
    with django_assert_num_queries(6):  # the session comes from the cache
        response = client.get(reverse("payments:region_payouts"))
    assert response.content.decode().count("2099Q") == quarters


def test_model_b_run_page_and_region_page(login, approver, coordinator, example_b, case_officer):
    from tests.payments.conftest import CONTACTS, accept_contacts

    for region in (A, B, C):
        for quarter in (1, 2, 3, 4):
            if region == C and quarter == 4:
                continue
            accept_contacts(
                region,
                EXAMPLE_B_YEAR,
                quarter,
                coordinator,
                CONTACTS[region] if quarter == 1 else 0,
            )
    run = run_start(agreement=example_b, quarter=None, acting_user=case_officer).run
    run_compute(run_id=run.pk)
    page = login(approver).get(reverse("payments:run", args=[run.pk])).content.decode()
    assert "250\xa0000\xa0000,00" in page
    assert "1\xa0200\xa0000,00" in page
    assert "Summorna stämmer mot ramen." in page
    assert "Grundbeloppet betalas ut i en senare körning" in page
    run_approve(run=run, acting_user=approver)
    region_page = login(coordinator).get(reverse("payments:region_payouts")).content.decode()
    assert "251\xa0200\xa0000,00" in region_page
    assert "Så mycket av taket är använt" not in region_page  # model B has no ceiling


def test_year_end_run_page(login, approver, example_a, case_officer, coordinator):
    for quarter in (1, 2, 3, 4):
        run = computed_quarter(example_a, quarter, case_officer, coordinator)
        run_approve(run=run, acting_user=approver)
    year_end = run_start(agreement=example_a, quarter=None, acting_user=case_officer).run
    run_compute(run_id=year_end.pk)
    page = login(approver).get(reverse("payments:run", args=[year_end.pk])).content.decode()
    assert "193\xa0467,46" in page
    assert "1\xa0026\xa0532,54" in page
    assert "Summorna stämmer mot ramen." in page
    # 8,780,000 paid in the quarters + 1,220,000 redistributed = the whole frame.
    assert "10\xa0000\xa0000,00" in page


def test_decision_for_a_claw_back_names_the_sum_to_pay_back(
    login, approver, example_a, case_officer, coordinator
):
    q1 = computed_quarter(example_a, 1, case_officer, coordinator)
    run_approve(run=q1, acting_user=approver)
    accept_series(C, EXAMPLE_A_YEAR, 1, coordinator, {"KBT": 0})
    q2 = run_start(agreement=example_a, quarter=2, acting_user=case_officer).run
    run_compute(run_id=q2.pk)
    q2 = run_approve(run=q2, acting_user=approver)
    assert q2.lines.get(region_id=C).amount_ore == -13_000_000
    client = login(approver)
    body = client.get(reverse("payments:decision", args=[q2.pk, C])).content.decode()
    assert "Försäkringskassan kräver tillbaka 130\xa0000,00 kr, som dras av från kommande" in body
    assert "tillbaka -" not in body


def test_decision_for_a_year_end_claw_back_asks_for_repayment(
    login, approver, example_a, case_officer, coordinator
):
    for quarter in (1, 4):
        q = computed_quarter(example_a, quarter, case_officer, coordinator)
        run_approve(run=q, acting_user=approver)
    accept_series(C, EXAMPLE_A_YEAR, 4, coordinator, {"KBT": 0})
    year_end = run_start(agreement=example_a, quarter=None, acting_user=case_officer).run
    run_compute(run_id=year_end.pk)
    year_end = run_approve(run=year_end, acting_user=approver)
    assert year_end.lines.get(region_id=C).amount_ore == -26_000_000
    body = login(approver).get(reverse("payments:decision", args=[year_end.pk, C])).content
    assert (
        "Försäkringskassan kräver tillbaka 260\xa0000,00 kr, som regionen ska betala tillbaka "
        "till Försäkringskassan."
    ) in body.decode()


def test_payment_file_and_explanation_show_a_correction_as_an_adjustment(
    login, approver, example_a, case_officer, coordinator
):
    q1 = computed_quarter(example_a, 1, case_officer, coordinator)
    run_approve(run=q1, acting_user=approver)
    # C withdraws its 10 Q1 series and reports 12 in Q2: -130,000 for Q1, +156,000 for Q2.
    accept_series(C, EXAMPLE_A_YEAR, 1, coordinator, {"KBT": 0})
    q2 = computed_quarter(example_a, 2, case_officer, coordinator)
    q2 = run_approve(run=q2, acting_user=approver)
    client = login(approver)
    client.post(reverse("payments:run_export", args=[q2.pk]), {"kind": ExportKind.CSV})
    rows = bytes(PayoutExport.objects.get().content).decode("utf-8").splitlines()
    day, bankgiro = payment_date(q2).isoformat(), Region.objects.get(code=C).bankgiro
    assert rows[3] == (
        f"04;Region Sörmland;26000,00;2600000;{q2.reference}-04;-130000,00;-13000000;"
        f"{bankgiro};{day}"
    )
    assert rows[1].endswith(f";0,00;0;{Region.objects.get(code=A).bankgiro};{day}")
    assert rows[-1].startswith("SUMMA;;")
    page = client.get(reverse("payments:run", args=[q2.pk])).content.decode()
    assert (
        "Av beloppet är \u2212130\xa0000,00\xa0kr en justering för tidigare kvartal (rättelser som "
        "godkänts efter förra utbetalningen) och 156\xa0000,00\xa0kr avser kvartal 2."
    ) in page


# --------------------------------------------------------------------------- every URL, every role

ROLES = ("coordinator", "viewer", "other_coordinator", "case_officer", "approver", "admin_user")
# Region users get 403 with the reason on FK's pages (issue 15), and 404 for another
# region's objects on pages that are theirs too.
FK_ONLY = (403, 403, 403, 200, 200, 200)
OTHER_REGION = (404, 404, 404, 200, 200, 200)
REGION_01 = (200, 200, 404, 200, 200, 200)


@pytest.fixture
def payout_world(approved_q1, example_a, case_officer, approver, coordinator):
    csv_export = run_export(run=approved_q1, kind=ExportKind.CSV, acting_user=approver)
    decision = run_export(
        run=approved_q1,
        kind=ExportKind.DECISION,
        region=approved_q1.lines.get(region_id=A).region,
        acting_user=approver,
    )
    q2 = computed_quarter(example_a, 2, case_officer, coordinator)
    submitted = report_version(
        region=A, year=EXAMPLE_A_YEAR, quarter=3, user=coordinator, status="SUBMITTED"
    )
    return {"q1": approved_q1, "q2": q2, "csv": csv_export, "decision": decision, "v": submitted}


ACCESS = [
    ("GET", "payments:runs", lambda w: [], FK_ONLY),
    ("GET", "payments:run", lambda w: [w["q2"].pk], FK_ONLY),
    ("GET", "payments:run_status", lambda w: [w["q2"].pk], FK_ONLY),
    ("POST", "payments:run_start", lambda w: [], (403, 403, 403, 302, 403, 403)),
    ("POST", "payments:run_approve", lambda w: [w["q2"].pk], (403, 403, 403, 403, 302, 403)),
    ("POST", "payments:run_retry", lambda w: [w["q2"].pk], (403, 403, 403, 302, 403, 403)),
    ("POST", "payments:run_recalculate", lambda w: [w["q2"].pk], (403, 403, 403, 302, 403, 403)),
    ("POST", "payments:run_export", lambda w: [w["q1"].pk], (403, 403, 403, 302, 302, 403)),
    ("GET", "payments:decision", lambda w: [w["q1"].pk, A], REGION_01),
    ("GET", "payments:decision", lambda w: [w["q1"].pk, B], OTHER_REGION),
    ("GET", "payments:export_download", lambda w: [w["csv"].pk], (403, 403, 403, 200, 200, 403)),
    ("GET", "payments:export_download", lambda w: [w["decision"].pk], REGION_01),
    ("GET", "payments:region_payouts", lambda w: [], (200,) * 6),
    ("GET", "payments:preview", lambda w: [w["v"].pk], REGION_01),
]


@pytest.mark.parametrize(("method", "name", "args", "expected"), ACCESS)
def test_every_payments_url_for_every_role(
    request, login, payout_world, method, name, args, expected
):
    url = reverse(name, args=args(payout_world))
    data = {"agreement": EXAMPLE_A_YEAR, "period": "Q3", "kind": ExportKind.CSV}
    got = []
    for role in ROLES:
        client = login(request.getfixturevalue(role))
        response = client.get(url) if method == "GET" else client.post(url, data)
        got.append(response.status_code)
    assert tuple(got) == expected


def test_run_page_warns_when_reports_were_accepted_since_it_was_calculated(
    login, approver, example_a, case_officer, coordinator
):
    run = computed_quarter(example_a, 1, case_officer, coordinator)
    client = login(approver)
    url = reverse("payments:run", args=[run.pk])
    warning = "Rapporter har godkänts (rättelser eller nya rapporter) sedan körningen räknades ut."
    assert warning not in client.get(url).content.decode()
    accept_series(C, EXAMPLE_A_YEAR, 1, coordinator, {"KBT": 11})
    assert warning in client.get(url).content.decode()


# user (with the data version; the session comes from the cache), run (title), data
# version, run, lines, exports, events: the same for any number of lines or exports
# (computed: the data is the test's own, uncommitted)
QUERIES_RUN_PAGE = 7


@pytest.mark.parametrize("issued", [1, 3])
def test_run_page_query_count(login, approver, approved_q1, django_assert_num_queries, issued):
    for line in approved_q1.lines.select_related("region")[:issued]:
        run_export(
            run=approved_q1, kind=ExportKind.DECISION, region=line.region, acting_user=approver
        )
    client = login(approver)
    url = reverse("payments:run", args=[approved_q1.pk])
    with django_assert_num_queries(QUERIES_RUN_PAGE):
        response = client.get(url)
    assert response.content.decode().count("beslut-") == issued


def test_payment_file_is_made_once_per_run_and_kind(login, approver, case_officer, approved_q1):
    url = reverse("payments:run_export", args=[approved_q1.pk])
    first = login(approver).post(url, {"kind": ExportKind.XLSX})
    assert first.status_code == 302
    again = login(case_officer).post(url, {"kind": ExportKind.XLSX}, follow=True)
    assert PayoutExport.objects.filter(kind=ExportKind.XLSX).count() == 1
    export = PayoutExport.objects.get()
    assert export.created_by == approver
    assert f"är redan skapad (SHA-256 {export.sha256})" in again.content.decode()
    assert run_export(run=approved_q1, kind=ExportKind.XLSX, acting_user=approver) == export
    for _ in range(2):
        run_export(
            run=approved_q1,
            kind=ExportKind.DECISION,
            region=approved_q1.lines.get(region_id=A).region,
            acting_user=approver,
        )
    assert PayoutExport.objects.filter(kind=ExportKind.DECISION).count() == 1


def test_unicode_digits_in_the_year_are_ignored_not_a_500(login, case_officer):
    response = login(case_officer).get(reverse("payments:runs") + "?ar=²")
    assert response.status_code == 200
    assert login(case_officer).get(reverse("payments:runs") + "?ar=２０１２").status_code == 200


def test_broker_outage_at_start_is_no_500(
    transactional_db, login, case_officer, example_a, coordinator, monkeypatch
):
    """The run is stored before the task is sent: if Redis is down the user is told the
    run is started (requeue_stale_runs sends it again later), not shown an error page."""
    from kombu.exceptions import OperationalError

    from payments import tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(tasks.compute_run, "delay", broker_down)
    response = login(case_officer).post(
        reverse("payments:run_start"), {"agreement": EXAMPLE_A_YEAR, "period": "Q1"}, follow=True
    )
    assert response.status_code == 200
    run = PayoutRun.objects.get()
    assert run.status == RunStatus.QUEUED
    assert "Körningen är startad och räknas i bakgrunden." in response.content.decode()


def test_english_pages_use_english_number_format(login, approver, coordinator, approved_q1):
    """Issue 15: an English reader sees 1,820,000.00 on every page type (run page,
    runs list, region payouts), never a Swedish "1 820 000,00"; the payment file stays
    machine-readable and the decision is Swedish whatever the reader's language."""
    client = login(approver)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    run_page = client.get(reverse("payments:run", args=[approved_q1.pk])).content.decode()
    runs = client.get(reverse("payments:runs") + f"?ar={approved_q1.agreement.year}")
    assert "1,820,000.00" in run_page
    assert "1\xa0820\xa0000,00" not in run_page
    assert "1,820,000.00" in runs.content.decode() or "4,950,000.00" in runs.content.decode()
    client.post(reverse("payments:run_export", args=[approved_q1.pk]), {"kind": ExportKind.CSV})
    content = bytes(PayoutExport.objects.get(kind=ExportKind.CSV).content).decode()
    assert ";1820000,00;182000000;" in content  # the same file whatever the language
    region = login(coordinator)
    region.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = region.get(reverse("payments:region_payouts")).content.decode()
    assert "1,820,000.00" in page
    assert "1\xa0820\xa0000,00" not in page


def test_decision_names_the_agreements_own_contact(login, approver, approved_q1):
    agreement = approved_q1.agreement
    agreement.decision_contact = "Anna Andersson, anna.andersson@example.se, 010-123 45 67"
    agreement.save(update_fields=["decision_contact"])
    page = login(approver).get(reverse("payments:decision", args=[approved_q1.pk, A]))
    assert "Frågor om beslutet: Anna Andersson, anna.andersson@example.se" in (
        page.content.decode()
    )
