"""The public-health statistics over the web: compute from counts (API), the funnel plot page and
API, and the area profile (spine chart) with intervals drawn."""

from __future__ import annotations

from ..conftest import FIXTURES

COUNTS = FIXTURES / "rates"


def _computed(client, **form):
    data = {"indicator_id": "mortality_smr", "method": "isr", **form}
    with (COUNTS / "deaths_by_age.csv").open("rb") as handle:
        return client.post(
            "/api/v1/indicators/compute",
            data=data,
            files={"file": ("deaths_by_age.csv", handle, "text/csv")},
        )


def test_compute_then_funnel_and_spine(writable_client):
    client = writable_client
    client.post(
        "/api/v1/places",
        json={"slug": "testtown", "name": "Testtown", "authorities": ["E09000001"]},
    )
    made = _computed(client, benchmark_label="All three areas")
    assert made.status_code == 201, made.text
    assert made.json()["indicator"]["method"] == "isr"
    funnel = client.get("/api/v1/indicators/mortality_smr/funnel", params={"place": "testtown"})
    assert funnel.status_code == 200
    where = {a["area_code"]: a["significance"] for a in funnel.json()["areas"]}
    assert where["E01000002"] == "Low (0.001)"
    page = client.get("/places/testtown/funnel")
    assert page.status_code == 200
    assert 'id="funnel-plot"' in page.text and "beyond the 99.8% limit" in page.text
    assert page.text.count('class="point ') == len(where)
    spine = client.get("/api/v1/areas/E01000001/spine").json()
    assert spine[0]["benchmark"] == 100 and spine[0]["comparison"] in ("worse", "similar")
    profile = client.get("/areas/E01000001/profile")
    assert profile.status_code == 200
    assert 'class="interval"' in profile.text and "All three areas" in profile.text


def test_bad_counts_answer_422_naming_row_and_field(writable_client):
    bad = b"area_code,count,population\nE01000001,12,10\nE01000002,-1,10\n"
    answer = writable_client.post(
        "/api/v1/indicators/compute",
        data={"indicator_id": "share", "method": "proportion"},
        files={"file": ("share.csv", bad, "text/csv")},
    )
    assert answer.status_code == 422
    problems = answer.json()["error"]["problems"]
    assert {(p["row"], p["field"]) for p in problems} >= {(1, "count"), (2, "count")}


def test_unknown_method_and_imported_indicator_funnel_are_4xx(writable_client):
    assert _computed(writable_client, method="nonsense").status_code == 422
    made = writable_client.post(
        "/api/v1/places",
        json={"slug": "elsewhere", "name": "Elsewhere", "area_codes": ["E01000001"]},
    )
    assert made.status_code == 201, made.text
    assert writable_client.get("/api/v1/indicators/nothing/funnel").status_code == 404
    page = writable_client.get("/places/elsewhere/funnel")
    assert page.status_code == 200 and "No indicator of Elsewhere was computed" in page.text
