"""Issue 9: next year's agreement is data, entered in the admin alone (no code, no
redeploy). A 2021-style agreement with a yearly treatment condition (V3) and a
written-account condition with an advance (V2) is typed into the admin forms; then
regions report and are paid under it: the yearly treatment report through the API,
accepted by FK, and the year's run; the written account answered, assessed, and its
advance and remainder runs with payment file and decisions (checksums)."""

from __future__ import annotations

import datetime
import hashlib
import io
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.management import call_command

from payments.condition_runs import condition_run_start
from payments.enums import ExportKind, Instalment, RunStatus
from payments.models import PayoutExport, PayoutLine, PayoutRun
from payments.services import run_approve, run_compute, run_export, run_start
from rehab.enums import ConditionKind, ReportingFrequency
from rehab.models import Agreement, Condition, Region, ReportingPeriod
from reporting.accounts.models import AssessmentOutcome
from reporting.accounts.services import (
    RequirementDecision,
    account_assess,
    account_get_or_create,
    account_open_draft,
    account_submit,
)
from reporting.models import ReportVersion
from reporting.services import report_accept

pytestmark = pytest.mark.django_db

MSEK = 1_000_000 * 100
POPULATIONS = {"01": 600_000, "03": 300_000, "04": 100_000}


class _FormFields(HTMLParser):
    """The values a browser would post for the admin's main form, as the page shows them."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "option":
            if self._select and "selected" in a:
                self.fields[self._select] = a.get("value", "")
            return
        name = a.get("name", "__prefix__")
        if "__prefix__" in name:
            return
        if tag == "input" and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.fields[name] = "on"
            else:
                self.fields[name] = a.get("value", "")
        elif tag == "select":
            self._select = name
            self.fields.setdefault(name, "")
        elif tag == "textarea":
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data.lstrip("\n")


def admin_post(client: Any, path: str, form_id: str, changes: dict[str, str]) -> Any:
    """GET the admin page, keep what its form shows, change `changes`, POST it back."""
    page = client.get(path)
    assert page.status_code == 200
    parser = _FormFields(form_id)
    parser.feed(page.content.decode())
    assert parser.fields, f"no form {form_id} on {path}"
    data = {**parser.fields, **changes}
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post(path, data)
    assert response.status_code == 302, _errors(response)
    return response


def _errors(response: Any) -> str:
    html = response.content.decode()
    return " | ".join(part.split("</ul>")[0] for part in html.split('class="errorlist')[1:])


def condition_form(agreement: Agreement, **fields: str) -> dict[str, str]:
    return {"agreement": str(agreement.pk), "sort_order": "0", "source": "", **fields}


def requirements(*texts: str) -> dict[str, str]:
    data = {
        "requirements-TOTAL_FORMS": str(len(texts)),
        "requirements-INITIAL_FORMS": "0",
    }
    for i, text in enumerate(texts):
        data[f"requirements-{i}-number"] = str(i + 1)
        data[f"requirements-{i}-text"] = text
    return data


@pytest.fixture
def agreement_2021(login: Any, admin_user: Any, tmp_path: Any) -> Agreement:
    client = login(admin_user)
    admin_post(
        client,
        "/admin/rehab/agreement/add/",
        "agreement_form",
        {
            "year": "2021",
            "name": "Överenskommelse om en effektiv och kvalitetssäker sjukskrivningsprocess 2021",
            "diary_number": "S2021/00001",
            "payout_model": "B",
            "frame_ore": "500 000 000",
            "research_ore": "0",
            "addon_per_series_ore": "0",
            "contact_bonus_per_contact_ore": "3 000",
            "contact_bonus_cap_ore": "50 000 000",
            "payment_due": "2022-09-15",
            "population_reference_date": "2020-11-01",
            "population_age_band": "TOTAL",
            "statistics_age_band": "16-67",
        },
    )
    agreement = Agreement.objects.get(year=2021)
    add = "/admin/rehab/condition/add/"
    admin_post(
        client,
        add,
        "condition_form",
        condition_form(
            agreement,
            code="V3",
            title="Insatser för lindrig och medelsvår psykisk ohälsa och långvarig smärta",
            kind=ConditionKind.TREATMENTS,
            frequency=ReportingFrequency.YEARLY,
            amount_ore="550 000 000",
            report_deadline="2022-08-15",
            payment_due="2022-09-15",
            verified="on",
            **requirements(),
        ),
    )
    admin_post(
        client,
        add,
        "condition_form",
        condition_form(
            agreement,
            code="V2",
            title="Funktion för koordinering",
            kind=ConditionKind.DELIVERABLE,
            frequency="",
            amount_ore="140 000 000",
            advance_share="0.5",
            advance_payment_due="2021-03-31",
            report_deadline="2021-12-10",
            payment_due="2022-03-31",
            verified="on",
            **requirements(
                "Regionen ska ha en funktion för koordinering.",
                "Regionen ska redovisa hur funktionen stöttats.",
            ),
        ),
    )
    v3 = Condition.objects.get(agreement=agreement, code="V3")
    # The year's report period and the treatments it asks for, in the agreement's page.
    admin_post(
        client,
        f"/admin/rehab/agreement/{agreement.pk}/change/",
        "agreement_form",
        {
            "periods-TOTAL_FORMS": "1",
            "periods-0-condition": str(v3.pk),
            "periods-0-quarter": "",
            "periods-0-start_date": "2021-01-01",
            "periods-0-end_date": "2021-12-31",
            "periods-0-opens_on": "2022-01-01",
            "periods-0-deadline": "2022-08-15",
            "rates-TOTAL_FORMS": "2",
            "rates-0-treatment": "KBT",
            "rates-0-rate_ore": "",
            "rates-1-treatment": "MMR1",
            "rates-1-rate_ore": "",
        },
    )
    # The population the money follows, loaded from SCB's file as any year's.
    path = tmp_path / "scb-2020-11-01.csv"
    path.write_text(
        "region;population\n" + "".join(f"{c};{p}\n" for c, p in POPULATIONS.items()),
        encoding="utf-8",
    )
    call_command("load_population", str(path), "--date", "2020-11-01", stdout=io.StringIO())
    Region.objects.exclude(code__in=POPULATIONS).update(active=False)
    return agreement


def test_a_2021_agreement_entered_in_the_admin_is_reported_and_paid(
    agreement_2021: Agreement,
    api: Any,
    coordinator: Any,
    other_coordinator: Any,
    case_officer: Any,
    approver: Any,
    tmp_path: Any,
) -> None:
    conditions = {c.code: c for c in agreement_2021.conditions.all()}
    v2, v3 = conditions["V2"], conditions["V3"]
    assert (v2.kind, v2.amount_ore, v2.advance_share) == (
        ConditionKind.DELIVERABLE,
        140 * MSEK,
        Decimal("0.5000"),
    )
    assert list(v2.requirements.values_list("number", flat=True)) == [1, 2]
    assert agreement_2021.treatment_condition == v3 and agreement_2021.is_yearly_reporting
    period = ReportingPeriod.objects.get(agreement=agreement_2021)
    assert (period.code, period.condition_id) == ("2021", v3.pk)
    assert agreement_2021.frame_ore == 500 * MSEK

    # The yearly treatment report through the region's system (API); 2021Q1 refused.
    system = api(coordinator)
    refused = system.post("/api/v1/reports/", {"region": "01", "period": "2021Q1"})
    assert refused.status_code == 400
    assert "använd perioden 2021, inte 2021Q1" in refused.json()["error"]["message"]
    report = system.post("/api/v1/reports/", {"region": "01", "period": "2021"}).json()
    saved = system.put(
        f"/api/v1/reports/{report['id']}/draft/",
        {
            "lock_version": 0,
            "series": [{"treatment": "KBT", "sex": "F", "provider": "PUBLIC", "value": 300}],
            "extras": [{"kind": "EMPLOYER_CONTACT", "sex": "M", "value": 120}],
        },
    )
    assert saved.status_code == 200, saved.json()
    checked = system.post(f"/api/v1/reports/{report['id']}/validate/").json()
    assert checked["errors"] == []
    submitted = system.post(
        f"/api/v1/reports/{report['id']}/submit/",
        {
            "lock_version": saved.json()["lock_version"],
            "explanations": {w["key"]: "Förklarat." for w in checked["warnings"]},
            "eligibility_confirmed": True,
        },
    )
    assert submitted.status_code == 200, submitted.json()
    report_accept(
        version=ReportVersion.objects.get(report_id=report["id"]), acting_user=case_officer
    )

    # Region 03's yearly figures loaded by FK with import_reports --accept (period 2021).
    history = tmp_path / "2021.csv"
    history.write_text(
        "region;period;item;sex;provider;value\n03;2021;KBT;F;PUBLIC;40\n", encoding="utf-8"
    )
    out = io.StringIO()
    call_command("import_reports", str(history), "--user", "handlaggare", "--accept", stdout=out)
    assert out.getvalue().splitlines()[-1] == "Sparat: 1 rapporter, 1 uppgifter."

    # The year's treatment run: 60 % of the 500 MSEK frame for 01, bonus for 120 contacts.
    run = run_start(agreement=agreement_2021, quarter=None, acting_user=case_officer).run
    run_compute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.CALCULATED, run.failure_reason
    line = PayoutLine.objects.get(run=run, region_id="01")
    assert (line.base_ore, line.bonus_ore) == (300 * MSEK, 120 * 3_000 * 100)
    assert PayoutLine.objects.get(run=run, region_id="03").base_ore == 150 * MSEK
    assert run.period_label == "2021"

    # The written account of V2: region 01 fulfils it, 03 does not, 04 never reports.
    fulfilled = RequirementDecision(AssessmentOutcome.FULFILLED)
    not_fulfilled = RequirementDecision(AssessmentOutcome.NOT_FULFILLED, "Ingen funktion.")
    for region, author, decision in (
        ("01", coordinator, fulfilled),
        ("03", other_coordinator, not_fulfilled),
    ):
        account = account_get_or_create(region=region, condition=v2, acting_user=author)
        draft = account_open_draft(account=account, acting_user=author)
        version = account_submit(
            version=draft,
            lock_version=draft.lock_version,
            answers={1: "Vi har en koordinator.", 2: "Nätverk och handledning."},
            acting_user=author,
            today=datetime.date(2021, 12, 1),
        )
        account_assess(
            version=version, decisions={1: fulfilled, 2: decision}, acting_user=case_officer
        )

    advance = condition_run_start(
        condition=v2, instalment=Instalment.ADVANCE, acting_user=case_officer
    ).run
    run_compute(run_id=advance.pk)
    run_approve(run=advance, acting_user=approver)
    remainder = condition_run_start(
        condition=v2, instalment=Instalment.REMAINDER, acting_user=case_officer
    ).run
    run_compute(run_id=remainder.pk)
    remainder.refresh_from_db()
    assert remainder.status == RunStatus.CALCULATED, remainder.failure_reason
    paid = {
        (r.instalment, line.region_id): line.amount_ore
        for r in (advance, remainder)
        for line in PayoutLine.objects.filter(run=r)
    }
    # Shares 84 / 42 / 14 MSEK; half of each is the advance, paid to every region.
    assert paid == {
        (Instalment.ADVANCE, "01"): 42 * MSEK,
        (Instalment.ADVANCE, "03"): 21 * MSEK,
        (Instalment.ADVANCE, "04"): 7 * MSEK,
        (Instalment.REMAINDER, "01"): 42 * MSEK,
        (Instalment.REMAINDER, "03"): 0,
        (Instalment.REMAINDER, "04"): 0,
    }
    remainder = run_approve(run=remainder, acting_user=approver)
    payment_file = run_export(run=remainder, kind=ExportKind.CSV, acting_user=approver)
    content = bytes(payment_file.content)
    assert payment_file.sha256 == hashlib.sha256(content).hexdigest()
    rows = {row.split(";")[0]: row.split(";")[2:4] for row in content.decode().splitlines()[1:]}
    assert rows["01"] == ["42000000,00", str(42 * MSEK)]
    assert rows["03"] == rows["04"] == ["0,00", "0"]
    decision = run_export(
        run=remainder,
        kind=ExportKind.DECISION,
        acting_user=approver,
        region=Region.objects.get(code="01"),
    )
    assert decision.sha256 == hashlib.sha256(bytes(decision.content)).hexdigest()
    text = bytes(decision.content).decode()
    assert "V2 Funktion för koordinering" in text
    assert "villkoret uppfyllt" in text
    assert PayoutExport.objects.filter(run=remainder).count() == 2
    assert PayoutRun.objects.filter(agreement=agreement_2021, condition=v2).count() == 2
