"""The reporting pages as a coordinator and an FK case officer use them, through
the Django test client: GET, POST, redirects and the messages they see."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from rehab.models import ReportingPeriod
from reporting.enums import VersionStatus
from reporting.figures import Figures
from reporting.models import Report, ReportVersion
from reporting.selectors import figures_of
from reporting.services import (
    report_get_or_create,
    report_open_draft,
    report_save_draft,
    report_submit,
)
from reporting.validation import report_validate
from reporting.views.common import report_url
from tests.factories import report_version

pytestmark = pytest.mark.django_db

# 2020 is reported once a year (villkor 3 2016–2020): quarter None.
REGION, YEAR, QUARTER = "01", 2020, None


def url(
    name: str,
    *extra: Any,
    region: str = REGION,
    year: int = YEAR,
    quarter: int | None = QUARTER,
) -> str:
    return report_url(name, region, year, quarter, *extra)


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def period(year: int = YEAR, quarter: int | None = QUARTER) -> ReportingPeriod:
    return ReportingPeriod.objects.select_related("agreement").get(
        agreement__year=year, quarter=quarter
    )


def draft_with(
    user: Any, cells: dict[str, int], *, region: str = REGION, **where: int
) -> ReportVersion:
    """A draft saved through the services, as the form would save it."""
    report = report_get_or_create(region=region, period=period(**where), acting_user=user)
    draft = report_open_draft(report=report, acting_user=user)
    return report_save_draft(
        version=draft,
        figures=Figures.from_cells(cells),
        lock_version=draft.lock_version,
        acting_user=user,
    )


def submitted_with(user: Any, cells: dict[str, int], **kwargs: Any) -> ReportVersion:
    """Submitted through the services, every warning explained."""
    draft = draft_with(user, cells, **kwargs)
    warnings = report_validate(version=draft).warnings
    return report_submit(
        version=draft,
        lock_version=draft.lock_version,
        explanations={w.key: "Sent på grund av omorganisation." for w in warnings},
        eligibility_confirmed=True,
        acting_user=user,
    )


def form_data(version: ReportVersion | None, cells: dict[str, Any], **extra: Any) -> dict[str, Any]:
    data = {
        "version": version.number if version else 0,
        "lock_version": version.lock_version if version else 0,
        "comment": "",
        **cells,
        **extra,
    }
    return data


# --------------------------------------------------------------------------- overview


def test_overview_lists_periods_with_status_deadline_and_next_step(login, coordinator):
    report_version(region=REGION, year=2020, user=coordinator, status="DRAFT")
    report_version(region=REGION, year=2019, user=coordinator, status="ACCEPTED")
    response = login(coordinator).get(reverse("reporting:overview"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Rapporter för Region Stockholm" in html
    assert '<a href="' + url("report") + '">2020</a>' in html
    assert "Gör klart utkastet och skicka in det." in html
    assert "Klar. Godkänd av Försäkringskassan." in html
    assert "Fyll i rapporten och skicka in den." in html  # 2018, not started
    assert "2021-08-15" in html  # the 2020 agreement's deadline
    assert "dagar sen" in html


def test_overview_sends_fk_users_to_the_inbox(login, case_officer):
    response = login(case_officer).get(reverse("reporting:overview"))
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("reporting:inbox")


def test_region_overview_lets_fk_read_a_region(login, case_officer):
    response = login(case_officer).get(reverse("reporting:region_overview", args=["03"]))
    assert response.status_code == 200
    assert "Rapporter för Region Uppsala" in response.content.decode()


# --------------------------------------------------------------------------- the form


def test_form_of_a_new_report_has_a_labelled_grid_and_creates_nothing(login, coordinator):
    response = login(coordinator).get(url("report"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="cell-KBT-F-PUBLIC" class="visually-hidden">' in html
    assert 'name="KBT:F:PUBLIC"' in html
    assert 'name="VIDEO:M"' in html  # 2020 asks for video
    assert 'scope="rowgroup"' in html and "Långvarig smärta" in html
    assert "Lindrig och medelsvår psykisk ohälsa" in html
    assert "report-grid.js" in html
    assert Report.objects.count() == 0


def test_form_without_video_when_the_agreement_does_not_ask(login, coordinator):
    html = login(coordinator).get(url("report", year=2019)).content.decode()
    assert 'name="KBT:F:PUBLIC"' in html
    assert 'name="VIDEO:F"' not in html


def test_save_half_filled_draft_and_come_back(login, coordinator):
    client = login(coordinator)
    response = client.post(
        url("report"),
        form_data(
            None,
            {"KBT:F:PUBLIC": "12", "KBT:M:PRIVATE": "1 003", "IPT:F:PUBLIC": ""},
            comment="Halvfärdig",
            action="save",
        ),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == url("report")
    assert messages_of(response) == ["Utkastet är sparat."]
    version = ReportVersion.objects.get()
    assert version.status == VersionStatus.DRAFT
    assert figures_of(version).cells() == {"KBT:F:PUBLIC": 12, "KBT:M:PRIVATE": 1003}
    assert version.comment == "Halvfärdig"

    html = client.get(url("report")).content.decode()
    assert 'value="12"' in html and 'value="1003"' in html
    assert 'data-row="KBT">1\xa0015<' in html  # row total computed by the server
    assert "Halvfärdig" in html
    assert f'name="lock_version" value="{version.lock_version}"' in html


def test_save_refuses_text_in_a_cell_and_keeps_what_was_typed(login, coordinator):
    response = login(coordinator).post(
        url("report"), form_data(None, {"KBT:F:PUBLIC": "tolv", "IPT:M:PUBLIC": "7"}, action="save")
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "”tolv” är inte ett heltal. Skriv bara siffror, t.ex. 12." in html
    assert 'value="tolv"' in html and 'value="7"' in html
    assert 'aria-invalid="true"' in html
    assert messages_of(response) == ["Utkastet sparades inte: rätta de markerade rutorna."]
    assert Report.objects.count() == 0


def test_second_save_of_the_same_draft_is_refused_and_keeps_both_figures(
    login, client, coordinator
):
    draft = draft_with(coordinator, {"KBT:F:PUBLIC": 10})
    loaded = form_data(draft, {})
    # Someone else saves first...
    first = draft_with(coordinator, {"KBT:F:PUBLIC": 20})
    # ...then this user saves what they typed on the page they loaded before.
    response = login(coordinator).post(
        url("report"), {**loaded, "KBT:F:PUBLIC": "33", "IPT:F:PUBLIC": "4", "action": "save"}
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "Dina ändringar sparades inte" in messages_of(response)[0]
    assert 'value="33"' in html and 'value="4"' in html  # nothing typed is lost
    assert "Sparat: 20" in html  # what the first one saved, beside the cell
    assert f'name="lock_version" value="{first.lock_version}"' in html
    assert figures_of(ReportVersion.objects.get()).cells() == {"KBT:F:PUBLIC": 20}


def test_save_again_after_a_conflict_replaces_the_figures(login, coordinator):
    draft_with(coordinator, {"KBT:F:PUBLIC": 20})
    current = ReportVersion.objects.get()
    response = login(coordinator).post(
        url("report"), form_data(current, {"KBT:F:PUBLIC": "33"}, action="save")
    )
    assert response.status_code == 302
    assert figures_of(ReportVersion.objects.get()).cells() == {"KBT:F:PUBLIC": 33}


def test_errors_are_shown_next_to_the_cell_and_block_submission(login, coordinator):
    draft = draft_with(coordinator, {"KBT:F:PUBLIC": 2, "EMPLOYER_CONTACT:F": 5})
    client = login(coordinator)
    html = client.get(url("report")).content.decode()
    message = (
        "Kontakter med arbetsgivare (5) är fler än regionens genomförda behandlingar "
        "under perioden (2)."
    )
    assert '<td class="num has-error">' in html
    assert f'<span class="field-error">{message}</span>' in html
    assert f'<a href="#cell-EMPLOYER_CONTACT-F">{message}</a>' in html

    response = client.post(
        url("report"),
        form_data(
            draft,
            {"KBT:F:PUBLIC": "2", "EMPLOYER_CONTACT:F": "5"},
            action="submit",
            **{"explain:": "Sent."},
        ),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == url("report") + "#kontroll"
    assert messages_of(response) == ["Rapporten kan inte skickas in: rätta felen först."]
    assert ReportVersion.objects.get().status == VersionStatus.DRAFT


def test_warning_needs_an_explanation_then_submit_shows_the_submitted_version(login, coordinator):
    draft = draft_with(coordinator, {"KBT:F:PUBLIC": 3})
    client = login(coordinator)
    html = client.get(url("report")).content.decode()
    assert "Rapporten lämnas in efter sista dag 2021-08-15." in html
    assert '<label for="explain-0">Förklaring</label>' in html

    response = client.post(url("report"), form_data(draft, {"KBT:F:PUBLIC": "3"}, action="submit"))
    assert response.status_code == 422
    assert messages_of(response) == ["Förklara varje varning innan rapporten skickas in."]

    explained = {
        "explain:": "Uppgifterna kom sent från vårdcentralerna.",
        "explain:blank_cells": "Resten är inte känt än.",
    }
    assert "Räkna bara genomförda behandlingsserier" in html  # what counts, on the form
    response = client.post(
        url("report"), form_data(draft, {"KBT:F:PUBLIC": "3"}, action="submit", **explained)
    )
    assert messages_of(response)[-1] == (
        "Bekräfta att rapporten bara räknar det som överenskommelsen gäller innan den skickas in."
    )
    assert ReportVersion.objects.get().status == VersionStatus.DRAFT

    response = client.post(
        url("report"),
        form_data(
            draft,
            {"KBT:F:PUBLIC": "3"},
            action="submit",
            eligibility_confirmed="on",
            **explained,
        ),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == url("version", 1)
    assert messages_of(response)[-1] == "Rapporten är inskickad till Försäkringskassan."
    version = ReportVersion.objects.get()
    assert version.status == VersionStatus.SUBMITTED
    assert version.submitted_by == coordinator
    assert "Räkna bara personer i åldern 16–67 år." in version.eligibility_statement
    assert version.eligibility_confirmed_at == version.submitted_at

    html = client.get(url("version", 1)).content.decode()
    assert "Inskickad" in html
    assert coordinator.get_full_name() in html
    assert "Uppgifterna kom sent från vårdcentralerna." in html
    assert 'name="KBT:F:PUBLIC"' not in html  # read-only now
    assert client.get(url("report")).content.decode().count('type="text"') == 0


def test_explanations_typed_before_a_save_are_kept(login, coordinator):
    draft = draft_with(coordinator, {"KBT:F:PUBLIC": 3})
    client = login(coordinator)
    client.post(
        url("report"),
        form_data(draft, {"KBT:F:PUBLIC": "4"}, action="save", **{"explain:": "Förklaring A"}),
    )
    assert "Förklaring A</textarea>" in client.get(url("report")).content.decode()


# --------------------------------------------------------------------------- FK's review


def test_inbox_lists_submitted_reports_first_and_filters_by_region(
    login, coordinator, other_coordinator, case_officer
):
    submitted_with(coordinator, {"KBT:F:PUBLIC": 3})
    submitted_with(other_coordinator, {"KBT:F:PUBLIC": 5}, region="03")
    draft_with(coordinator, {"KBT:F:PUBLIC": 1}, year=2019)
    client = login(case_officer)
    html = client.get(reverse("reporting:inbox")).content.decode()
    assert "2 rapporter" in html
    assert "Region Stockholm" in html and "Region Uppsala" in html
    assert html.count('<span class="badge late">Sen</span>') == 2  # after 2021-08-15
    assert 'href="' + url("review") + '"' in html

    html = client.get(reverse("reporting:inbox"), {"region": "03"}).content.decode()
    assert "1 rapport" in html
    assert "Region Stockholm" not in html.split("<tbody>")[1]

    html = client.get(reverse("reporting:inbox"), {"status": "DRAFT"}).content.decode()
    assert "1 rapport" in html and url("report", year=2019) in html


def test_inbox_filters_by_agreement_and_quarter(login, coordinator, case_officer):
    submitted_with(coordinator, {"KBT:F:PUBLIC": 3})  # the yearly 2020
    submitted_with(coordinator, {"KBT:F:PUBLIC": 3}, year=2014, quarter=2)
    client = login(case_officer)
    html = client.get(reverse("reporting:inbox"), {"agreement": "2014"}).content.decode()
    assert "1 rapport" in html and "2014Q2" in html
    html = client.get(reverse("reporting:inbox"), {"agreement": "2020"}).content.decode()
    assert "1 rapport" in html and "2014Q2" not in html
    html = client.get(reverse("reporting:inbox"), {"quarter": "2"}).content.decode()
    assert "1 rapport" in html and "2014Q2" in html


def test_review_shows_figures_warnings_and_last_year(login, coordinator, case_officer):
    report_version(
        region=REGION,
        year=2019,
        user=coordinator,
        series={("KBT", "F", "PUBLIC"): 40},
    )
    submitted_with(coordinator, {"KBT:F:PUBLIC": 3, "IPT:M:PRIVATE": 2})
    response = login(case_officer).get(url("review"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Granska 2020 – Region Stockholm, version 1" in html
    assert "Rapporten lämnas in efter sista dag 2021-08-15." in html
    assert "Sent på grund av omorganisation." in html  # the region's explanation
    assert "2019 (godkänd)" in html
    assert '<td class="num">40</td><td class="num">−92 %</td>' in html  # KBT 3 against 40
    assert 'name="flagged" value="KBT:F:PUBLIC" form="review-form"' in html
    assert "Markera Kognitiv beteendeterapi (KBT), kvinnor, offentlig" in html


def test_review_accept(login, coordinator, case_officer):
    submitted_with(coordinator, {"KBT:F:PUBLIC": 3})
    response = login(case_officer).post(url("review"), {"action": "accept", "comment": ""})
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("reporting:inbox")
    assert messages_of(response) == ["Region Stockholm 2020 version 1 är godkänd."]
    accepted = Report.objects.get().accepted_version
    assert accepted is not None
    assert (accepted.status, accepted.decided_by) == (VersionStatus.ACCEPTED, case_officer)


def test_review_return_needs_a_comment(login, coordinator, case_officer):
    submitted_with(coordinator, {"KBT:F:PUBLIC": 3})
    response = login(case_officer).post(url("review"), {"action": "return", "comment": " "})
    assert response.status_code == 422
    assert "Skriv vad regionen ska rätta." in response.content.decode()
    assert ReportVersion.objects.get().status == VersionStatus.SUBMITTED


def test_returned_report_shows_fk_comment_and_flagged_cells_to_the_coordinator(
    login, client, coordinator, case_officer
):
    submitted_with(coordinator, {"KBT:F:PUBLIC": 3, "IPT:M:PRIVATE": 2})
    response = login(case_officer).post(
        url("review"),
        {
            "action": "return",
            "comment": "KBT för kvinnor verkar för lågt.",
            "flagged": ["KBT:F:PUBLIC"],
        },
    )
    assert response.status_code == 302
    assert messages_of(response) == [
        "Rapporten är återsänd till Region Stockholm med din kommentar."
    ]
    client.logout()
    html = login(coordinator).get(url("report")).content.decode()
    assert "Försäkringskassan har återsänt version 1" in html
    assert "KBT för kvinnor verkar för lågt." in html
    assert "Kommentaren gäller 1 ruta; den är markerad nedan." in html
    assert '<td class="num flagged"><label for="cell-KBT-F-PUBLIC"' in html
    assert 'name="version" value="2"' in html  # the new draft, copied
    assert 'value="3"' in html


def test_overview_shows_a_returned_report_needs_fixing(login, coordinator, case_officer):
    version = submitted_with(coordinator, {"KBT:F:PUBLIC": 3})
    from reporting.services import report_return

    report_return(version=version, comment="Fel", acting_user=case_officer)
    html = login(coordinator).get(reverse("reporting:overview")).content.decode()
    assert "Läs Försäkringskassans kommentar, rätta och skicka in igen." in html
    assert '<span class="badge returned">Återsänd</span>' in html
    todo = html.split('id="todo-h"')[1].split("</section>")[0]
    assert f'<a href="{url("report")}">2020</a>' in todo


# --------------------------------------------------------------------------- versions


def accepted_report(coordinator: Any, case_officer: Any) -> ReportVersion:
    from reporting.services import report_accept

    return report_accept(
        version=submitted_with(coordinator, {"KBT:F:PUBLIC": 3}), acting_user=case_officer
    )


def test_correction_needs_a_reason_and_keeps_the_accepted_version(login, coordinator, case_officer):
    accepted = accepted_report(coordinator, case_officer)
    client = login(coordinator)
    html = client.get(url("report")).content.decode()
    assert "Gör en rättelse" in html
    assert "Godkänd" in html

    response = client.post(url("correction"), {"reason": ""})
    assert response.status_code == 422
    assert "Skriv varför rapporten behöver rättas." in response.content.decode()

    response = client.post(url("correction"), {"reason": "KBT var feltolkad."})
    assert response.status_code == 302
    assert response.headers["Location"] == url("report")
    html = client.get(url("report")).content.decode()
    assert "Skäl: KBT var feltolkad." in html
    assert "Den godkända versionen 1 gäller tills Försäkringskassan har godkänt rättelsen." in html
    assert 'name="KBT:F:PUBLIC"' in html
    assert Report.objects.get().accepted_version == accepted


def test_correction_of_a_report_without_accepted_version_is_404(login, coordinator):
    draft_with(coordinator, {"KBT:F:PUBLIC": 3})
    assert login(coordinator).get(url("correction")).status_code == 404


def test_history_and_compare_show_changed_cells(login, coordinator, case_officer):
    from reporting.services import report_return

    version = submitted_with(coordinator, {"KBT:F:PUBLIC": 3, "IPT:M:PRIVATE": 2})
    draft = report_return(version=version, comment="Fel", acting_user=case_officer)
    draft = report_save_draft(
        version=draft,
        figures=Figures.from_cells({**figures_of(draft).cells(), "KBT:F:PUBLIC": 30}),
        lock_version=draft.lock_version,
        acting_user=coordinator,
    )
    client = login(coordinator)
    html = client.get(url("history")).content.decode()
    assert "Version 1" in html and "Version 2" in html
    assert "Återsänd" in html and "Utkast" in html
    assert "”Fel”" in html
    assert 'href="' + url("compare", 2) + '"' in html

    html = client.get(url("compare", 2)).content.decode()
    assert "1 ruta har ändrats." in html
    assert (
        '<td class="num changed"><span class="value">30</span><span class="was">före 3</span>'
        in html
    )
    assert (
        '<th scope="row">Kognitiv beteendeterapi (KBT), kvinnor, offentlig</th>'
        '<td class="num">3</td><td class="num">30</td><td class="num">+27</td>'
    ) in html


def test_fk_does_not_see_the_regions_drafts(login, coordinator, case_officer):
    draft_with(coordinator, {"KBT:F:PUBLIC": 3})
    client = login(case_officer)
    assert client.get(url("version", 1)).status_code == 404
    html = client.get(url("report")).content.decode()
    assert "Regionen arbetar med rapporten." in html


def test_viewer_reads_the_report_without_inputs(login, coordinator, viewer):
    draft_with(coordinator, {"KBT:F:PUBLIC": 3})
    html = login(viewer).get(url("report")).content.decode()
    assert "version 1" in html
    assert 'name="KBT:F:PUBLIC"' not in html
    assert '<span class="value">3</span>' in html


def test_inbox_late_filter_keeps_only_late_reports(login, coordinator, case_officer):
    submitted_with(coordinator, {"KBT:F:PUBLIC": 3})  # after 2021-08-15: late
    report_version(region="03", year=2020, user=coordinator, status="SUBMITTED")
    client = login(case_officer)
    html = client.get(reverse("reporting:inbox")).content.decode()
    assert "2 rapporter" in html
    assert html.count('<span class="badge late">Sen</span>') == 1
    html = client.get(reverse("reporting:inbox"), {"late": "on"}).content.decode()
    assert "1 rapport" in html
    assert "Region Stockholm" in html.split("<tbody>")[1]
    assert "Region Uppsala" not in html.split("<tbody>")[1]


def test_a_closed_period_is_read_only(login, coordinator):
    ReportingPeriod.objects.filter(agreement__year=YEAR, quarter=QUARTER).update(is_closed=True)
    client = login(coordinator)
    html = client.get(url("report")).content.decode()
    assert "Perioden är inte öppen för rapportering." in html
    assert 'name="KBT:F:PUBLIC"' not in html
    response = client.post(url("report"), form_data(None, {"KBT:F:PUBLIC": "1"}, action="save"))
    assert response.status_code == 302
    assert messages_of(response) == ["Perioden 2020 är inte öppen för rapportering."]
    assert Report.objects.count() == 0


def test_fk_sees_the_accepted_version_while_a_correction_is_drafted(
    login, coordinator, case_officer
):
    accepted_report(coordinator, case_officer)
    from reporting.services import report_start_correction

    report_start_correction(report=Report.objects.get(), reason="Fel", acting_user=coordinator)
    html = login(case_officer).get(url("report")).content.decode()
    assert "version 1" in html
    assert '<span class="badge accepted">Gäller</span>' in html
    assert "Det här är en äldre version." not in html


def test_pages_render_in_english_too(login, coordinator):
    submitted_with(coordinator, {"KBT:F:PUBLIC": 3})
    client = login(coordinator)
    for path in [reverse("reporting:overview"), url("report"), url("history"), url("upload")]:
        response = client.get(path, headers={"accept-language": "en"})
        assert response.status_code == 200
        assert '<html lang="en">' in response.content.decode()


@pytest.mark.parametrize("typed", ["²", "５", "1²"])
def test_save_refuses_digits_that_are_not_ascii_with_the_cells_message(login, coordinator, typed):
    # "²" passed isdigit() and gave a 500; fullwidth "５" was silently stored as 5.
    response = login(coordinator).post(
        url("report"), form_data(None, {"KBT:F:PUBLIC": typed}, action="save")
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert f"”{typed}” är inte ett heltal. Skriv bara siffror, t.ex. 12." in html
    assert Report.objects.count() == 0


def test_first_save_that_lost_a_race_shows_the_saved_draft_not_a_500(login, coordinator):
    # Two first saves at once: the page had no report yet, the other request created
    # it and saved first, so this one finds a newer draft (lock_version moved on).
    # That used to end in an IndexError (versions[-1] of the report it had not seen).
    response = login(coordinator).post(
        url("report"), form_data(None, {"KBT:F:PUBLIC": "3"}, action="save", lock_version=5)
    )
    assert response.status_code == 409
    assert "Dina ändringar sparades inte" in response.content.decode()


def test_explanations_are_limited_like_comments(login, coordinator):
    draft = draft_with(coordinator, {"KBT:F:PUBLIC": 3})
    response = login(coordinator).post(
        url("report"),
        form_data(draft, {"KBT:F:PUBLIC": "4"}, action="save", **{"explain:": "x" * 5001}),
    )
    assert response.status_code == 422
    assert messages_of(response) == [
        "Utkastet sparades inte: en förklaring är för lång (högst 5\xa0000 tecken)."
    ]
    draft.refresh_from_db()
    assert draft.lock_version == 1  # nothing saved
