"""Login, the start page, the health check and the admin, as people use them."""

import pytest
from django.urls import reverse

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_in_swedish(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Logga in i Rehab" in html
    assert '<html lang="sv">' in html
    assert "Content-Security-Policy" in response.headers
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_login_page_in_english(client):
    response = client.get(reverse("login"), headers={"accept-language": "en"})
    assert '<html lang="en">' in response.content.decode()


def test_wrong_password_says_so_in_swedish(client, coordinator):
    response = client.post(reverse("login"), {"username": "samordnare01", "password": "fel"})
    assert "Fel användarnamn eller lösenord" in response.content.decode()


def test_login_then_home_shows_agreements_to_administrator(client, admin_user):
    from tests.conftest import register_authenticator, totp_code

    device = register_authenticator(admin_user)
    response = client.post(
        reverse("login"), {"username": "admin", "password": TEST_PASSWORD}, follow=True
    )
    assert "Tvåstegsverifiering" in response.content.decode()  # the administrator's second step
    response = client.post(
        reverse("accounts:mfa_verify"), {"code": totp_code(device), "next": "/"}, follow=True
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "500\xa0000\xa0000,00" in html  # the 2020 frame in Swedish format


@pytest.mark.parametrize(
    ("user", "start"),
    [
        ("coordinator", "reporting:overview"),
        ("viewer", "reporting:overview"),
        ("case_officer", "reporting:inbox"),
        ("approver", "payments:runs"),
    ],
)
def test_home_sends_each_role_to_its_start_page(request, login, user, start):
    response = login(request.getfixturevalue(user)).get(reverse("home"))
    assert response.status_code == 302
    assert response.headers["Location"] == reverse(start)


def test_home_requires_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("login"))


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/rehab/region/",
        "/admin/rehab/region/01/change/",
        "/admin/rehab/populationfigure/",
        "/admin/rehab/treatment/",
        "/admin/rehab/agreement/",
        "/admin/rehab/user/",
        "/admin/rehab/user/add/",
        "/admin/rehab/agreement/add/",
    ],
)
def test_admin_pages_render(login, admin_user, url):
    response = login(admin_user).get(url)
    assert response.status_code == 200


def test_admin_agreement_change_page_shows_periods_and_rates(login, admin_user):
    from rehab.models import Agreement

    agreement = Agreement.objects.get(year=2012)
    response = login(admin_user).get(f"/admin/rehab/agreement/{agreement.pk}/change/")
    html = response.content.decode()
    assert "Rapporteringsperioder" in html or "rapporteringsperioder" in html
    assert "25000" in html  # MMR1 rate in kronor, editable while unused


def test_admin_refused_to_coordinator(login, coordinator):
    response = login(coordinator).get("/admin/")
    assert response.status_code == 302


def test_language_switch_names_each_language_in_itself(client):
    html = client.get(reverse("login")).content.decode()
    assert 'lang="en">English</button>' in html
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in html
    assert 'lang="sv">Svenska</button>' in html


def test_login_page_makes_no_query_and_writes_no_session_at_two_sizes(
    client, coordinator, django_assert_num_queries
):
    """The sign-in page (what every visitor without a session gets) reads nothing from
    the database and saves no session, with no reports and with every region's."""
    from rehab.models import Region
    from tests.factories import report_version

    path = reverse("login")
    client.get(path)  # the CSRF cookie, as a browser has it
    with django_assert_num_queries(0):
        response = client.get(path)
    assert response.status_code == 200
    for code in Region.objects.values_list("code", flat=True):
        report_version(region=code, year=2019, user=coordinator)
    with django_assert_num_queries(0):
        response = client.get(path)
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()
    assert "sessionid" not in response.cookies


def test_plain_login_page_is_each_visitors_own(coordinator):
    """The plain sign-in page is rendered once and served to everyone: each visitor
    still gets a CSRF token of their own that signs them in, in their language, and
    a page with something to say (a message, ?next=) is rendered for the request."""
    import re

    from django.test import Client

    def token(html: str) -> str:
        found = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert found and 'X-CSRFToken": "' + found[0] in html
        return found[0]

    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    pages = [c.get(reverse("login")).content.decode() for c in (first, second, first)]
    assert "Logga in i Rehab" in pages[0] and pages[0].count("csrfmiddlewaretoken") == 2
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
    english = Client().get(reverse("login"), headers={"accept-language": "en"})
    assert '<html lang="en">' in english.content.decode()
    assert '<html lang="sv">' in Client().get(reverse("login")).content.decode()
    # The first visitor's token does not work for the second visitor, their own does.
    refused = second.post(
        reverse("login"),
        {"username": "samordnare01", "password": TEST_PASSWORD, "csrfmiddlewaretoken": "x" * 64},
    )
    assert refused.status_code == 403
    response = second.post(
        reverse("login"),
        {
            "username": "samordnare01",
            "password": TEST_PASSWORD,
            "csrfmiddlewaretoken": token(pages[1]),
        },
    )
    assert response.status_code == 302
    next_page = Client().get(reverse("login") + "?next=/rapporter/").content.decode()
    assert 'name="next" value="/rapporter/"' in next_page
