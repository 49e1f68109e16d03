"""Every role × every client-data endpoint, HTML and API: allowed, forbidden, or invisible.

The client booked with "therapist"; "other_therapist" has never seen them, so
for that role the client does not exist (404, not 403: no hint that they do).
"""

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import TestCase
from rest_framework.test import APIClient

from clients.intake import services as intake_services
from clients.models import Intake
from tests.clients.conftest import book_first_session, staff_in_every_role
from tests.clients.test_intake_flow import complete_everything
from tests.conftest import NOW, intake_switch_on
from tests.factories import ClientFactory, PracticeFactory, SessionTypeFactory, TherapistFactory
from tests.support.module_data import rolled_back_after_the_module
from tests.support.staff import sign_in

ROLES = ["anonymous", "outsider", "receptionist", "therapist", "other_therapist", "owner"]
CLINICAL_ANSWER = "Panic attacks on the train since spring"

# (method, path, expected status per role in ROLES order); {c} is the client's id.
HTML = [
    ("get", "/staff/", [302, 403, 200, 200, 200, 200]),
    ("get", "/staff/clients/", [302, 403, 200, 200, 200, 200]),
    ("get", "/staff/clients/?q=Harlowe", [302, 403, 200, 200, 200, 200]),
    ("get", "/staff/clients/new/", [302, 403, 200, 403, 403, 200]),
    ("get", "/staff/clients/{c}/", [302, 403, 200, 200, 404, 200]),
    ("get", "/staff/clients/{c}/edit/", [302, 403, 200, 200, 404, 200]),
    ("get", "/staff/clients/{c}/book/", [302, 403, 200, 200, 404, 200]),
    ("post", "/staff/clients/{c}/assign/", [302, 403, 302, 403, 403, 302]),
    ("post", "/staff/clients/{c}/intake/resend/", [302, 403, 302, 403, 403, 302]),
    ("post", "/staff/clients/{c}/intake/review/", [302, 403, 302, 403, 403, 302]),
    ("get", "/staff/intake/", [302, 403, 200, 403, 403, 200]),
    ("get", "/staff/clients/{c}/export.json", [302, 403, 403, 403, 403, 200]),
    ("get", "/staff/clients/{c}/export.html", [302, 403, 403, 403, 403, 200]),
    ("get", "/staff/clients/{c}/anonymise/", [302, 403, 403, 403, 403, 200]),
    ("get", "/staff/audit/", [302, 403, 403, 403, 403, 200]),
    ("get", "/admin/clients/client/", [302, 302, 302, 302, 302, 200]),
]
API = [
    ("get", "/api/v1/staff/clients/", [403, 403, 200, 200, 200, 200]),
    ("get", "/api/v1/staff/clients/{c}/", [403, 403, 200, 200, 404, 200]),
    ("patch", "/api/v1/staff/clients/{c}/", [403, 403, 200, 200, 404, 200]),
    ("get", "/api/v1/staff/clients/{c}/intake/", [403, 403, 200, 200, 404, 200]),
    ("post", "/api/v1/staff/clients/{c}/intake/review/", [403, 403, 200, 403, 403, 200]),
    ("get", "/api/v1/staff/clients/{c}/clinical/", [403, 403, 403, 200, 404, 200]),
    ("get", "/api/v1/staff/clients/{c}/export/", [403, 403, 403, 403, 403, 200]),
    ("get", "/api/v1/staff/audit/", [403, 403, 403, 403, 403, 200]),
]


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker):
    """The clients/conftest.py practice, staff and booking, the intake submitted: built
    once for the module's ~300 cases, which only read it (what a case writes, a sign-in,
    an "outsider", a booking, is rolled back after it)."""
    with rolled_back_after_the_module(django_db_blocker):
        with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False):
            practice = intake_switch_on(PracticeFactory())
            session_type = SessionTypeFactory(practice=practice, name="Individual session")
            therapist = TherapistFactory(practice=practice, offers=[session_type])
            client_record = ClientFactory(
                practice=practice,
                first_name="Quinn",
                last_name="Harlowe",
                email="quinn@example.org",
            )
            with TestCase.captureOnCommitCallbacks(execute=True):
                booked = book_first_session(therapist, client_record)
            intake = Intake.objects.get(client=booked.client)
            complete_everything(intake, reason=CLINICAL_ANSWER)
            intake_services.intake_submit(intake=intake)
            staff = staff_in_every_role(practice, therapist)
        yield {"submitted": booked.client, "staff": staff}


@pytest.fixture
def submitted(scene, db, now):
    return scene["submitted"]


@pytest.fixture
def staff(scene, db):
    return scene["staff"]


def as_role(client, role, staff):
    if role == "anonymous":
        return client
    if role == "outsider":
        user = get_user_model().objects.create_user("outsider", password="x" * 16, is_staff=True)
        client.force_login(user)
        return client
    return sign_in(client, staff[role])


def call(client, method, path, **kwargs):
    if method == "patch":
        return client.patch(path, {"pronouns": "she/her"}, content_type="application/json")
    return getattr(client, method)(path, **kwargs)


def borrow_identity(client_record, therapist) -> None:
    """An anonymous booker books ``therapist`` through the public API with the client's email."""
    therapist.session_types.add(*client_record.practice.session_types.all())
    response = APIClient().post(
        "/api/v1/bookings/",
        {
            "therapist": therapist.pk,
            "session_type": client_record.practice.session_types.first().pk,
            "start": "2026-03-06T10:00:00-05:00",
            "timezone": "UTC",
            "client": {"first_name": "M", "last_name": "X", "email": client_record.email.upper()},
        },
        format="json",
    )
    assert response.status_code == 201


@pytest.mark.parametrize("known_email", [False, True], ids=["", "booked-with-known-email"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "expected"), HTML + API, ids=lambda v: str(v)[:40])
def test_role_matrix(client, submitted, staff, role, method, path, expected, known_email):
    """With ``known_email``, someone booked "other_therapist" typing the client's address:
    nobody's access changes (above all, other_therapist's stays 404)."""
    if known_email:
        borrow_identity(submitted, staff["other_therapist"].therapist)
    as_role(client, role, staff)
    response = call(client, method, path.format(c=submitted.public_id))
    assert response.status_code == expected[ROLES.index(role)], response.content[:300]


def test_the_front_desk_sees_contact_and_intake_status_but_no_clinical_answer_or_score(
    client, submitted, staff
):
    sign_in(client, staff["receptionist"])
    page = client.get(f"/staff/clients/{submitted.public_id}/").content.decode()
    assert submitted.email in page and "Submitted" in page and "Informed consent" in page
    assert CLINICAL_ANSWER not in page and "PHQ-9" not in page and "Screeners" not in page
    api = client.get(f"/api/v1/staff/clients/{submitted.public_id}/intake/").json()
    assert api["status"] == "submitted" and CLINICAL_ANSWER not in str(api)
    assert all(c["signed"] for c in api["consents"])


def test_the_clients_therapist_sees_answers_and_scores(client, submitted, staff):
    sign_in(client, staff["therapist"])
    page = client.get(f"/staff/clients/{submitted.public_id}/").content.decode()
    assert CLINICAL_ANSWER in page and "PHQ-9" in page and "8 / 27" in page and "Mild" in page
    api = client.get(f"/api/v1/staff/clients/{submitted.public_id}/clinical/").json()
    assert {s["measure"]: s["score"] for s in api["screeners"]} == {"phq9": 8, "gad7": 7}


def test_another_therapist_does_not_find_the_client_in_lists(client, submitted, staff):
    sign_in(client, staff["other_therapist"])
    assert submitted.email not in client.get("/staff/clients/").content.decode()
    assert client.get("/api/v1/staff/clients/").json()["count"] == 0


def test_staff_without_a_second_factor_are_sent_to_set_one_up(client, submitted, staff):
    user = staff["receptionist"]
    client.force_login(user)  # password only: the session has no verified device
    response = client.get(f"/staff/clients/{submitted.public_id}/")
    assert response.status_code == 302 and response["Location"] == "/staff/two-factor/"
    assert client.get("/api/v1/staff/clients/").status_code == 403
