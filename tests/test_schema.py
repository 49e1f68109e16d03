"""The OpenAPI schema: valid, warning-free, and declaring the error answers."""

import pytest
import yaml
from django.core.management import call_command


@pytest.fixture
def schema(tmp_path, db):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    return yaml.safe_load(out.read_text())


def test_the_schema_validates_without_warnings_and_lists_the_public_api(schema):
    assert {
        "/api/v1/therapists/",
        "/api/v1/session-types/",
        "/api/v1/slots/",
        "/api/v1/bookings/",
        "/api/v1/bookings/{token}/",
        "/api/v1/bookings/{token}/cancel/",
        "/api/v1/bookings/{token}/reschedule/",
    } <= set(schema["paths"])


def test_the_schema_declares_400_and_409_for_booking(schema):
    responses = schema["paths"]["/api/v1/bookings/"]["post"]["responses"]
    assert {"201", "400", "409"} <= set(responses)


def test_the_staff_book_endpoint_documents_near_ok_and_its_409(schema):
    post = schema["paths"]["/api/v1/staff/appointments/"]["post"]
    ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert body["properties"]["near_ok"]["default"] is False
    assert "sessions_near" in post["responses"]["409"]["description"]


def test_the_docs_page_is_served_without_a_cdn(client, db):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert b"cdn." not in page.content and b"unpkg" not in page.content


def _request_body(schema, path, method="post"):
    ref = schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    return schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[-1]]


def test_the_staff_book_endpoint_documents_past_ok_and_in_the_past(schema):
    body = _request_body(schema, "/api/v1/staff/appointments/")
    assert body["properties"]["past_ok"]["default"] is False
    post = schema["paths"]["/api/v1/staff/appointments/"]["post"]
    assert "in_the_past" in post["responses"]["409"]["description"]


def test_the_staff_undo_endpoint_is_documented_with_its_409(schema):
    undo = schema["paths"]["/api/v1/staff/appointments/{public_id}/undo/"]["post"]
    assert {"200", "403", "404", "409"} <= set(undo["responses"])
    assert "seconds" in undo["description"]


def test_time_off_documents_moves_and_notify(schema):
    body = _request_body(schema, "/api/v1/staff/availability/time-off/")
    assert body["properties"]["moves"]["additionalProperties"]["format"] == "date-time"
    assert body["properties"]["notify"]["default"] is True
