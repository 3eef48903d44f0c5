"""What a coordinator typed is not silently changed, and messages read as people
say them: blank cells at submission, a missing explanation shown where it is
missing, warnings stored as code + parameters and rendered in the reader's
language."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from reporting.enums import VersionStatus
from reporting.models import ReportVersion, WarningExplanation
from reporting.selectors import figures_of
from reporting.validation import report_validate
from tests.factories import TEST_PASSWORD, report_version
from tests.reporting.test_views import draft_with, form_data, messages_of, url

pytestmark = pytest.mark.django_db

LATE = "Sent på grund av omorganisation."


def all_cells_zero(**filled: str) -> dict[str, str]:
    """Every cell of the 2020 agreement's form: 0, except those given."""
    from reporting.cells import agreement_cells
    from tests.reporting.test_views import period

    cells = dict.fromkeys(agreement_cells(period().agreement).keys, "0")
    cells.update(filled)
    return cells


def test_submit_lists_blank_cells_by_treatment_name_in_grid_order(login, coordinator):
    draft = draft_with(coordinator, {"KBT:F:PUBLIC": 3})
    client = login(coordinator)
    response = client.post(
        url("report"),
        form_data(
            draft,
            {"KBT:F:PUBLIC": "3"},
            action="submit",
            eligibility_confirmed="on",
            **{"explain:": LATE},
        ),
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert ReportVersion.objects.get().status == VersionStatus.DRAFT
    # 11 treatments × 4 cells + 3 extras × 2 cells, less the one filled in.
    assert "49 rutor är tomma och räknas som 0 när rapporten skickas in:" in html
    listed = html[html.index("49 rutor är tomma") :]
    # Grid order (KBT, I-KBT, IPT …, then contacts), by the name people use.
    first = listed.index("Kognitiv beteendeterapi (KBT), kvinnor, privat")
    assert first < listed.index("Internetbaserad KBT (I-KBT), kvinnor, offentlig")
    assert listed.index("Internetbaserad KBT (I-KBT)") < listed.index("Aktiv specifik träning")
    assert listed.index("Annan smärtbehandling") < listed.index(
        "Kontakter med arbetsgivare, kvinnor"
    )
    assert "Kognitiv beteendeterapi (KBT), kvinnor, offentlig" not in listed[:400]


def test_blank_cells_filled_with_zero_submit(login, coordinator):
    draft = draft_with(coordinator, {"KBT:F:PUBLIC": 3})
    client = login(coordinator)
    response = client.post(
        url("report"),
        form_data(
            draft,
            all_cells_zero(**{"KBT:F:PUBLIC": "3"}),
            action="submit",
            eligibility_confirmed="on",
        )
        | {"explain:": LATE},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ReportVersion.objects.get().status == VersionStatus.SUBMITTED


def test_blank_cells_explained_submit_and_fk_reads_the_explanation(login, coordinator):
    draft = draft_with(coordinator, {"KBT:F:PUBLIC": 3})
    client = login(coordinator)
    response = client.post(
        url("report"),
        form_data(
            draft,
            {"KBT:F:PUBLIC": "3"},
            action="submit",
            eligibility_confirmed="on",
            **{"explain:": LATE, "explain:blank_cells": "Privata vårdgivare har inte svarat."},
        ),
    )
    assert response.status_code == 302
    stored = WarningExplanation.objects.get(code="blank_cells")
    assert stored.explanation == "Privata vårdgivare har inte svarat."
    assert stored.params["cells"][0] == "KBT:F:PRIVATE"


def test_missing_explanation_is_linked_from_the_summary_and_marked_on_the_field(login, coordinator):
    draft = draft_with(coordinator, {"KBT:F:PUBLIC": 3})
    client = login(coordinator)
    response = client.post(
        url("report"),
        form_data(
            draft,
            all_cells_zero(**{"KBT:F:PUBLIC": "3"}),
            action="submit",
            eligibility_confirmed="on",
        ),
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert messages_of(response) == ["Förklara varje varning innan rapporten skickas in."]
    assert '<section class="error-summary" role="alert"' in html
    assert (
        '<a href="#explain-0">Förklara varningen: Rapporten lämnas in efter sista dag '
        "2021-08-15.</a>"
    ) in html
    assert 'aria-describedby="explain-0-msg explain-0-error" aria-invalid="true"' in html
    assert (
        '<p class="field-error" id="explain-0-error">Skriv en förklaring till varningen.</p>'
        in html
    )
    # The card does not say warnings do not block submission while it is refused.
    assert "hindrar inte" not in html


def test_warning_filed_in_swedish_reads_in_english_with_the_treatment_name(
    client, login, coordinator
):
    report_version(
        region="01",
        year=2019,
        user=coordinator,
        series={("IPT", "M", "PUBLIC"): 40},
        status="ACCEPTED",
    )
    draft = draft_with(coordinator, {"KBT:F:PUBLIC": 3}, year=2020)
    login(coordinator)
    response = client.post(
        url("report"),
        form_data(
            draft,
            all_cells_zero(**{"KBT:F:PUBLIC": "3"}),
            action="submit",
            eligibility_confirmed="on",
            **{"explain:": LATE, "explain:IPT:drop_to_zero": "Terapeuten slutade."},
        ),
    )
    assert response.status_code == 302, messages_of(response)
    stored = WarningExplanation.objects.get(code="drop_to_zero")
    assert stored.message == (
        "Interpersonell psykoterapi (IPT): 0 genomförda behandlingar, men 40 under 2019."
    )
    swedish = client.get(url("version", 1)).content.decode()
    assert "Interpersonell psykoterapi (IPT): 0 genomförda behandlingar" in swedish
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(url("version", 1)).content.decode()
    assert "Interpersonal psychotherapy (IPT): 0 completed treatments, but 40 in 2019." in english
    assert "genomförda behandlingar" not in english
    assert "The report is being filed after the deadline of 2021-08-15." in english


def test_warnings_are_in_grid_order_not_code_order(login, coordinator):
    # KBT comes before I-KBT in the grid; by code "IKBT" < "KBT".
    report_version(
        region="01",
        year=2019,
        user=coordinator,
        series={("KBT", "M", "PUBLIC"): 4, ("IKBT", "F", "PUBLIC"): 5},
        status="ACCEPTED",
    )
    draft = draft_with(coordinator, {"IPT:F:PUBLIC": 3}, year=2020)
    codes = [w.subject for w in report_validate(version=draft).warnings if w.subject]
    assert codes == ["KBT", "IKBT"]
    html = login(coordinator).get(url("report")).content.decode()
    assert html.index("Kognitiv beteendeterapi (KBT): 0 genomförda") < html.index(
        "Internetbaserad KBT (I-KBT): 0 genomförda"
    )
    # Next to its row, in text (not only a tooltip).
    assert (
        '<span class="warn-mark">varning</span><span class="warn-text">Kognitiv '
        "beteendeterapi (KBT): 0 genomförda behandlingar, men 4 under 2019.</span>"
    ) in html
    assert 'class="warn-mark" title=' not in html


# --------------------------------------------------------------------------- nothing typed is lost


def test_save_after_the_session_expired_keeps_the_figures_for_after_signing_in(client, coordinator):
    draft = draft_with(coordinator, {"KBT:F:PUBLIC": 3})
    client.force_login(coordinator)
    client.get(url("report"))
    client.session.flush()  # the session times out while the coordinator types
    client.logout()
    response = client.post(
        url("report"),
        form_data(draft, {"KBT:F:PUBLIC": "17", "IPT:M:PRIVATE": "5"}, action="save"),
    )
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert login_url.startswith(reverse("login") + "?next=")
    assert "kept%3D" in login_url
    page = client.get(login_url).content.decode()
    assert "Du hade loggats ut, så det du skrev är inte sparat än." in page

    next_url = client.get(login_url).context["next"]
    response = client.post(
        login_url, {"username": "samordnare01", "password": TEST_PASSWORD, "next": next_url}
    )
    assert response.headers["Location"] == next_url
    html = client.get(next_url).content.decode()
    assert 'name="KBT:F:PUBLIC" value="17"' in html
    assert 'name="IPT:M:PRIVATE" value="5"' in html
    assert "Det du skrev som inte kunde sparas är tillbaka i formuläret." in html
    assert figures_of(ReportVersion.objects.get()).cells() == {"KBT:F:PUBLIC": 3}  # not saved
    # Given back once: the same link later shows the saved draft.
    again = client.get(next_url).content.decode()
    assert 'name="KBT:F:PUBLIC" value="3"' in again


def test_csrf_failure_page_is_in_the_site_layout_and_goes_back_with_the_figures(coordinator):
    draft = draft_with(coordinator, {"KBT:F:PUBLIC": 3})
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    client.get(url("report"))
    response = client.post(
        url("report"),
        form_data(draft, {"KBT:F:PUBLIC": "17"}, action="save", csrfmiddlewaretoken="stale"),
    )
    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Formuläret kunde inte skickas</h1>" in html
    assert 'aria-label="Huvudmeny"' in html  # the site's navigation
    back = re.search(r'href="(/rapporter/01/2020/\?kept=[^"]+)"', html)
    assert back is not None
    restored = client.get(back.group(1).replace("&amp;", "&")).content.decode()
    assert 'name="KBT:F:PUBLIC" value="17"' in restored
    assert figures_of(ReportVersion.objects.get()).cells() == {"KBT:F:PUBLIC": 3}


def test_csrf_failure_from_another_site_keeps_nothing(coordinator):
    draft = draft_with(coordinator, {"KBT:F:PUBLIC": 3})
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    response = client.post(
        url("report"),
        form_data(draft, {"KBT:F:PUBLIC": "999"}, action="save"),
        HTTP_ORIGIN="https://evil.example",
    )
    html = response.content.decode()
    assert response.status_code == 403
    assert "?kept=" not in html
    assert "rehab:kept-posts" not in client.session


# --------------------------------------------------------------------------- error pages


def test_404_is_in_the_site_layout_in_swedish_and_english(client, login, coordinator):
    login(coordinator)
    response = client.get("/finns-inte/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Sidan finns inte</h1>" in html
    assert 'aria-label="Huvudmeny"' in html
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get("/finns-inte/").content.decode()
    assert 'lang="en"' in english
    assert "Huvudmeny" not in english  # the menu's label is in the catalogue


# --------------------------------------------------------------------------- status words


def test_a_period_not_open_yet_says_when_it_opens(login, coordinator):
    from django.core.management import call_command
    from django.utils import timezone

    call_command("load_demo_data", password="demo-pass-123456")  # this year's demo agreement
    year = timezone.localdate().year
    opens = f"{year + 1}-01-01"  # Q4 opens the day after it ends
    client = login(coordinator)
    overview = client.get(reverse("reporting:overview")).content.decode()
    assert f"Perioden öppnar för rapportering {opens}." in overview
    page = client.get(url("report", year=year, quarter=4)).content.decode()
    assert f"Perioden öppnar för rapportering {opens}." in page


def test_returned_report_names_the_returned_version_and_credits_the_new_draft_to_the_return(
    login, coordinator, case_officer
):
    from reporting.services import report_return
    from tests.reporting.test_views import submitted_with

    submitted = submitted_with(coordinator, {"KBT:F:PUBLIC": 3})
    report_return(version=submitted, comment="Kolla KBT.", acting_user=case_officer)
    client = login(coordinator)
    overview = client.get(reverse("reporting:overview")).content.decode()
    assert 'Återsänd</span> <span class="muted">v1</span>' in overview
    assert 'Återsänd</span> <span class="muted">v2</span>' not in overview
    history = client.get(url("history")).content.decode()
    who = case_officer.get_full_name() or case_officer.username
    assert f"Utkast v2 öppnades när Försäkringskassan återsände version 1 ({who})." in history
    assert f"Utkast skapat (v2) – {who}" not in history
