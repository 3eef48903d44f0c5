"""Reference data through the API, read-only."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_regions_list_all_21(api, viewer):
    body = api(viewer).get("/api/v1/regions/").json()
    assert body["count"] == 21
    assert body["results"][0] == {"code": "01", "name": "Region Stockholm", "active": True}


def test_region_detail_and_unknown_is_404(api, viewer):
    client = api(viewer)
    assert client.get("/api/v1/regions/03/").json()["name"] == "Region Uppsala"
    response = client.get("/api/v1/regions/99/")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")


def test_treatments_list_catalogue(api, viewer):
    body = api(viewer).get("/api/v1/treatments/").json()
    assert body["count"] == 11
    assert [t["code"] for t in body["results"][:2]] == ["KBT", "IKBT"]


def test_agreement_detail_has_periods_deadlines_and_rates(api, case_officer):
    body = api(case_officer).get("/api/v1/agreements/2012/").json()
    assert (body["year"], body["payout_model"], body["frame_ore"]) == (2012, "A", 90_000_000_000)
    assert body["addon_per_series_ore"] == 100_000
    assert [(p["label"], p["deadline"]) for p in body["periods"]] == [
        ("2012Q1", "2012-05-01"),
        ("2012Q2", "2012-07-31"),
        ("2012Q3", "2012-10-31"),
        ("2012Q4", "2013-01-31"),
    ]
    assert {t["treatment"]: t["rate_ore"] for t in body["treatments"]} == {
        "KBT": 1_200_000,
        "IPT": 1_200_000,
        "MMR1": 2_500_000,
        "MMR2": 4_500_000,
    }


def test_agreement_list_filter_by_year(api, viewer):
    body = api(viewer).get("/api/v1/agreements/?year=2020").json()
    assert [a["year"] for a in body["results"]] == [2020]


def test_periods_filter_by_period_label(api, viewer):
    body = api(viewer).get("/api/v1/periods/?period=2014Q3").json()
    assert [(p["label"], p["opens_on"], p["deadline"], p["is_open"]) for p in body["results"]] == [
        ("2014Q3", "2014-10-01", "2014-10-31", True)
    ]
    # 2020 is reported once a year: the period "2020", and no quarters.
    body = api(viewer).get("/api/v1/periods/?period=2020").json()
    assert [(p["label"], p["opens_on"], p["deadline"], p["is_open"]) for p in body["results"]] == [
        ("2020", "2021-01-01", "2021-08-15", True)
    ]
    assert api(viewer).get("/api/v1/periods/?period=2020Q3").json()["results"] == []


def test_reference_data_is_read_only(api, admin_user):
    client = api(admin_user)
    assert client.post("/api/v1/regions/", {"code": "99", "name": "X"}).status_code == 405
    assert client.put("/api/v1/agreements/2012/", {"name": "X"}).status_code == 405
    response = client.delete("/api/v1/treatments/KBT/")
    assert (response.status_code, response.json()["error"]["code"]) == (405, "method_not_allowed")


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/api/v1/regions/?page_size={n}", 2),
        ("/api/v1/treatments/?page_size={n}", 2),
        ("/api/v1/periods/?page_size={n}", 2),
        ("/api/v1/agreements/?page_size={n}", 5),  # count, page, periods, rates, treatments
    ],
)
@pytest.mark.parametrize("n", [1, 10])
def test_reference_list_query_count_does_not_grow(
    api, viewer, django_assert_num_queries, url, queries, n
):
    client = api(viewer)
    client.get("/api/v1/regions/")  # token's last_used_at written now, not below
    # +1: the token
    with django_assert_num_queries(queries + 1):
        response = client.get(url.format(n=n))
    assert len(response.json()["results"]) == n
