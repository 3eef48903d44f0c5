"""The interface in English: the catalogue (locale/en) covers every string, its
compiled .mo says what the .po says, and key pages speak English once a user
chooses it, Swedish otherwise."""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import report_version

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

PLACEHOLDER = re.compile(r"%\(\w+\)s|%%|%s|\{\w*\}")


@dataclass
class Entry:
    msgid: str
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    line: int = 0


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file (header and obsolete entries left out), read with
    the standard library: po strings are C-style literals, which Python reads."""
    entries: list[Entry] = []
    current: Entry | None = None
    flags: list[str] = []
    target: tuple[str, int] = ("", 0)
    awaiting_msgid = False

    def finish() -> None:
        nonlocal current
        if current is not None and current.msgid != "":
            entries.append(current)
        current = None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            finish()
            flags += [flag.strip() for flag in line[2:].split(",")]
            continue
        if line.startswith("#"):
            continue
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$', line)
        if match:
            keyword, index, text = match.group(1), match.group(2), ast.literal_eval(match.group(3))
            if keyword == "msgctxt" or (keyword == "msgid" and not awaiting_msgid):
                finish()
                current = Entry(msgid="", flags=flags, line=number)
                flags = []
            assert current is not None
            awaiting_msgid = keyword == "msgctxt"
            if keyword == "msgctxt":
                current.msgctxt = text
                target = ("msgctxt", 0)
            elif keyword == "msgid":
                current.msgid = text
                target = ("msgid", 0)
            elif keyword == "msgid_plural":
                current.msgid_plural = text
                target = ("msgid_plural", 0)
            else:
                position = int(index) if index is not None else 0
                current.msgstr[position] = text
                target = ("msgstr", position)
            continue
        assert line.startswith('"'), f"{path}:{number}: cannot read {raw!r}"
        assert current is not None
        text = ast.literal_eval(line)
        name, position = target
        if name == "msgstr":
            current.msgstr[position] += text
        else:
            setattr(current, name, getattr(current, name) + text)
    finish()
    return entries


CATALOGUE = read_po(PO)


def test_catalogue_is_read_whole():
    assert len(CATALOGUE) > 700
    assert any(entry.msgid == "Logga in i Rehab" for entry in CATALOGUE)
    assert sum(1 for entry in CATALOGUE if entry.msgid_plural) >= 10


def test_catalogue_has_no_untranslated_entries():
    untranslated = [
        f"line {entry.line}: {entry.msgid!r}"
        for entry in CATALOGUE
        if not entry.msgstr or any(text == "" for text in entry.msgstr.values())
    ]
    assert untranslated == []


def test_catalogue_has_no_fuzzy_entries():
    fuzzy = [f"line {entry.line}: {entry.msgid!r}" for entry in CATALOGUE if "fuzzy" in entry.flags]
    assert fuzzy == []
    header = PO.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert "#, fuzzy" not in header


def test_plural_entries_have_both_english_forms():
    wrong = [
        entry.msgid
        for entry in CATALOGUE
        if entry.msgid_plural is not None and sorted(entry.msgstr) != [0, 1]
    ]
    assert wrong == []
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in PO.read_text(encoding="utf-8")


def test_translations_keep_every_placeholder():
    broken = []
    for entry in CATALOGUE:
        source = entry.msgid + " " + (entry.msgid_plural or "")
        wanted = sorted(set(PLACEHOLDER.findall(source)))
        for text in entry.msgstr.values():
            if sorted(set(PLACEHOLDER.findall(text))) != wanted:
                broken.append((entry.msgid, text))
    assert broken == []


def test_compiled_catalogue_matches_the_po():
    """The committed .mo (CI has no gettext to compile it) says what the .po says."""
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale: list[tuple[object, ...]] = []
    for entry in CATALOGUE:
        if entry.msgid_plural is None:
            if entry.msgctxt is None:
                got = compiled.gettext(entry.msgid)
            else:
                got = compiled.pgettext(entry.msgctxt, entry.msgid)
            if got != entry.msgstr[0]:
                stale.append((entry.msgid, got, entry.msgstr[0]))
        else:
            got_one = compiled.ngettext(entry.msgid, entry.msgid_plural, 1)
            got_many = compiled.ngettext(entry.msgid, entry.msgid_plural, 5)
            if (got_one, got_many) != (entry.msgstr[0], entry.msgstr[1]):
                stale.append((entry.msgid, (got_one, got_many), entry.msgstr))
    assert stale == []


# --- pages ---------------------------------------------------------------------


def english(client):
    """Choose English the way a user does: the language switch in base.html."""
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


@pytest.mark.django_db
def test_login_page_in_english_after_choosing_english(client):
    english(client)
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in html
    assert "Log in to Rehab" in html
    assert "Username" in html
    assert "Password" in html
    assert "Skip to content" in html
    assert "Logga in i Rehab" not in html
    assert 'lang="sv">Svenska</button>' in html


@pytest.mark.django_db
def test_login_page_in_english_from_the_browser_language(client):
    html = client.get(reverse("login"), headers={"accept-language": "en"}).content.decode()
    assert "Log in to Rehab" in html
    assert "Reporting and payment of compensation for the treatment of mild" in html


@pytest.mark.django_db
def test_login_page_in_swedish_by_default(client):
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="sv">' in html
    assert "Logga in i Rehab" in html
    assert "Användarnamn" in html
    assert "Log in to Rehab" not in html


@pytest.mark.django_db
def test_wrong_password_in_english(client, coordinator):
    english(client)
    response = client.post(reverse("login"), {"username": "samordnare01", "password": "fel"})
    assert "Incorrect username or password. Please try again." in response.content.decode()


@pytest.mark.django_db
def test_reporting_overview_in_english_for_coordinator(login, coordinator):
    client = english(login(coordinator))
    html = client.get(reverse("reporting:overview")).content.decode()
    assert "Reports for Region Stockholm" in html
    assert "Each row is a quarter." in html
    assert ">Deadline</th>" in html
    assert ">Next step</th>" in html
    assert "Log out" in html
    assert "Rapporter för" not in html
    assert "Sista dag" not in html


@pytest.mark.django_db
def test_reporting_overview_in_swedish_by_default(login, coordinator):
    html = login(coordinator).get(reverse("reporting:overview")).content.decode()
    assert "Rapporter för Region Stockholm" in html
    assert ">Sista dag</th>" in html
    assert "Logga ut" in html
    assert "Reports for" not in html


@pytest.mark.django_db
def test_inbox_in_english_for_case_officer(login, case_officer, coordinator):
    report_version(
        region="01",
        year=2020,
        user=coordinator,
        series={("KBT", "F", "PUBLIC"): 3},
        status="SUBMITTED",
    )
    client = english(login(case_officer))
    html = client.get(reverse("reporting:inbox")).content.decode()
    assert "<h1>Inbox: the regions' reports</h1>" in html
    assert "<caption>1 report</caption>" in html
    assert ">Submitted<" in html
    assert ">Review</a>" in html
    assert "Inkorg" not in html
    assert "Granska" not in html


@pytest.mark.django_db
def test_inbox_in_swedish_by_default(login, case_officer, coordinator):
    report_version(
        region="01",
        year=2020,
        user=coordinator,
        series={("KBT", "F", "PUBLIC"): 3},
        status="SUBMITTED",
    )
    html = login(case_officer).get(reverse("reporting:inbox")).content.decode()
    assert "Inkorg: regionernas rapporter" in html
    assert ">Inskickad<" in html
    assert ">Granska</a>" in html
    assert "Inbox" not in html


@pytest.mark.django_db
def test_payout_runs_in_english_for_approver(login, approver):
    client = english(login(approver))
    html = client.get(reverse("payments:runs")).content.decode()
    assert "<h1>Payout runs</h1>" in html
    assert "No runs yet." in html
    assert "Utbetalningskörningar" not in html


@pytest.mark.django_db
def test_payout_runs_in_swedish_by_default(login, approver):
    html = login(approver).get(reverse("payments:runs")).content.decode()
    assert "<h1>Utbetalningskörningar</h1>" in html
    assert "Inga körningar ännu." in html


@pytest.mark.django_db
def test_statistics_year_in_english(login, case_officer):
    report_version(region="01", year=2019, user=case_officer, series={("KBT", "F", "PUBLIC"): 7})
    client = english(login(case_officer))
    html = client.get(reverse("statistics:year", kwargs={"year": 2019})).content.decode()
    assert "Statistics 2019" in html
    assert "Mild to moderate mental ill-health: treatments by type" in html
    assert "Only 1 of 21 regions have all the year's reports accepted." in html
    assert "KBT = Cognitive behavioural therapy" in html  # the catalogue's English name
    assert ">missing<" in html
    assert "Bara 0 av 21" not in html
    assert "Kognitiv beteendeterapi" not in html


@pytest.mark.django_db
def test_statistics_year_in_swedish_by_default(login, case_officer):
    report_version(region="01", year=2019, user=case_officer, series={("KBT", "F", "PUBLIC"): 7})
    html = (
        login(case_officer).get(reverse("statistics:year", kwargs={"year": 2019})).content.decode()
    )
    assert "Statistik 2019" in html
    assert "Lindrig och medelsvår psykisk ohälsa: behandlingar per typ" in html
    assert "KBT = Kognitiv beteendeterapi (KBT)" in html
    assert "Cognitive behavioural therapy" not in html


@pytest.mark.django_db
def test_choosing_swedish_again_switches_back(client):
    english(client)
    client.post(reverse("set_language"), {"language": "sv", "next": "/"})
    html = client.get(reverse("login")).content.decode()
    assert "Logga in i Rehab" in html


def test_report_form_names_treatments_in_english(client, coordinator):
    from django.urls import reverse

    client.force_login(coordinator)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get("/rapporter/01/2020/").content.decode()
    assert "Cognitive behavioural therapy" in html
    assert "Kognitiv beteendeterapi (KBT)" not in html
