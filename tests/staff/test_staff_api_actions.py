"""The staff API's session actions: one view and one input each, as the schema says;
filters and paging that refuse what they cannot read."""

import pytest
import yaml
from django.core.management import call_command

from booking.models import AppointmentStatus
from tests.support.staff import sign_in

API = "/api/v1/staff"
ACTIONS = "/api/v1/staff/appointments/{public_id}/"


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker, tmp_path_factory):
    out = tmp_path_factory.mktemp("schema") / "schema.yml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    return yaml.safe_load(out.read_text())


def request_schema(schema, action: str):
    operation = schema["paths"][f"{ACTIONS}{action}/"]["post"]
    body = operation.get("requestBody")
    if body is None:
        return None
    ref = body["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_each_action_has_its_own_path_and_input_in_the_schema(schema):
    assert request_schema(schema, "approve") is None
    assert request_schema(schema, "decline") is None
    cancel = request_schema(schema, "cancel")
    assert set(cancel["properties"]) == {"late", "reason", "notify"} and not cancel.get("required")
    outcome = request_schema(schema, "outcome")
    assert set(outcome["properties"]) == {"outcome"} and outcome["required"] == ["outcome"]
    assert f"{ACTIONS}{{action}}/" not in schema["paths"]
    ids = {
        schema["paths"][f"{ACTIONS}{a}/"]["post"]["operationId"]
        for a in ("approve", "decline", "cancel", "outcome")
    }
    assert len(ids) == 4


def test_approve_and_decline_need_no_body_and_outcome_needs_one(client, team, booked):
    sign_in(client, team["therapist"])
    path = f"{API}/appointments/{booked.public_id}"
    missing = client.post(f"{path}/outcome/", {}, content_type="application/json")
    assert missing.status_code == 400 and "outcome" in missing.json()["errors"]
    assert client.post(f"{path}/decline/").status_code in (200, 409)
    assert client.post(f"{path}/explode/").status_code == 404


@pytest.mark.parametrize("value", ["", "bogus", "CONFIRMED", "confirmed "])
def test_an_unknown_status_filter_is_a_readable_400(client, team, booked, value):
    sign_in(client, team["receptionist"])
    response = client.get(f"{API}/appointments/", {"status": value})
    assert response.status_code == 400
    assert "Not a status" in response.json()["errors"]["status"][0]


def test_a_known_status_filters(client, team, booked):
    sign_in(client, team["receptionist"])
    found = client.get(f"{API}/appointments/", {"status": AppointmentStatus.CONFIRMED}).json()
    other = client.get(f"{API}/appointments/", {"status": AppointmentStatus.CANCELLED}).json()
    assert (found["count"], other["count"]) == (1, 0)


@pytest.mark.parametrize("path", ["/appointments/", "/clients/", "/audit/"])
@pytest.mark.parametrize("page", ["", "0", "-1", "x", "1.5"])
def test_a_page_that_is_not_a_page_number_is_a_readable_400(client, team, booked, path, page):
    sign_in(client, team["owner"])
    response = client.get(f"{API}{path}", {"page": page})
    assert response.status_code == 400
    assert "page number" in response.json()["errors"]["page"][0]


def test_a_page_past_the_last_is_still_a_404(client, team, booked):
    sign_in(client, team["owner"])
    assert client.get(f"{API}/appointments/", {"page": "1"}).status_code == 200
    assert client.get(f"{API}/appointments/", {"page": "2"}).status_code == 404


@pytest.mark.parametrize(
    "query",
    ["therapist=", "therapist=alex", "therapist=0", "page_size=", "page_size=ten", "page_size=-3"],
)
def test_a_filter_or_page_size_that_is_not_a_number_is_a_readable_400(client, team, booked, query):
    """Never silently ignored: a typo'd filter would otherwise list everything."""
    sign_in(client, team["owner"])
    response = client.get(f"{API}/appointments/?{query}")
    assert response.status_code == 400
    name = query.split("=")[0]
    assert "whole number" in response.json()["errors"][name][0]


def test_a_large_page_size_is_cut_to_the_most_a_page_holds(client, team, booked):
    sign_in(client, team["owner"])
    assert client.get(f"{API}/appointments/?page_size=1000").status_code == 200


def test_the_audit_lists_client_filter_takes_a_number_or_says_so(client, team):
    sign_in(client, team["owner"])
    assert client.get(f"{API}/audit/?client=robin").status_code == 400
    assert client.get(f"{API}/audit/?client=7").status_code == 200
