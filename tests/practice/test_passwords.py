"""Staff passwords: change your own, reset a forgotten one by email without telling who exists."""

import re

import pytest
from django.core import mail
from rest_framework.throttling import ScopedRateThrottle

from practice.models import StaffRole
from tests.support.staff import make_staff, sign_in

PASSWORD = "a-long-staff-password-2026"
NEW_PASSWORD = "another-quite-long-one-2027"


@pytest.fixture
def staff(practice):
    user = make_staff(practice, StaffRole.RECEPTIONIST, email="desk@practice.example")
    user.set_password(PASSWORD)
    user.save()
    return user


def ask_for_reset(client, email, django_capture_on_commit_callbacks, **extra):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/staff/password-reset/", {"email": email}, **extra)


def test_staff_change_their_own_password(client, staff):
    sign_in(client, staff)
    assert client.get("/staff/password/").status_code == 200
    wrong = client.post(
        "/staff/password/",
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 400
    done = client.post(
        "/staff/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password(NEW_PASSWORD)
    # Still signed in, still past two-factor.
    assert client.get("/staff/clients/").status_code == 200


def test_a_weak_new_password_is_a_readable_400(client, staff):
    sign_in(client, staff)
    response = client.post(
        "/staff/password/",
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 400 and "too short" in response.content.decode()


def test_changing_a_password_needs_a_session_past_two_factor(client, staff):
    client.force_login(staff)  # password only; the user has a device
    assert client.get("/staff/password/")["Location"] == "/staff/two-factor/"


def test_a_forgotten_password_is_reset_through_an_emailed_link(
    client, staff, django_capture_on_commit_callbacks
):
    response = ask_for_reset(
        client,
        "DESK@practice.example",
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302 and response["Location"] == "/staff/password-reset/sent/"
    (message,) = mail.outbox
    assert message.to == ["desk@practice.example"]
    # The link is built from SITE_URL, never from the Host header of the request.
    link = re.search(r"https://booking\.example(/staff/password-reset/\S+/)", message.body)[1]
    assert "testserver" not in message.body and "testserver" not in message.alternatives[0][0]
    form = client.get(link, follow=True)
    assert form.status_code == 200 and "Choose a new password" in form.content.decode()
    saved = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert saved.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password(NEW_PASSWORD)
    # Not signed in by the reset: sign-in still asks for the authenticator's code.
    assert client.get("/staff/clients/").status_code == 302
    # The link works once.
    assert "does not work" in client.get(link, follow=True).content.decode()


def test_the_answer_does_not_tell_whether_the_address_exists(
    client, staff, django_capture_on_commit_callbacks
):
    known = ask_for_reset(client, staff.email, django_capture_on_commit_callbacks)
    unknown = ask_for_reset(client, "nobody@practice.example", django_capture_on_commit_callbacks)
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1


def test_asking_for_reset_links_is_rate_limited_per_address(
    client, staff, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(
        ScopedRateThrottle,
        "THROTTLE_RATES",
        {**ScopedRateThrottle.THROTTLE_RATES, "password_reset": "2/hour"},
    )
    for _ in range(2):
        ask_for_reset(client, staff.email, django_capture_on_commit_callbacks)
    limited = ask_for_reset(client, staff.email, django_capture_on_commit_callbacks)
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert len(mail.outbox) == 2
    assert client.get("/staff/password-reset/").status_code == 200


def test_a_malformed_email_is_a_readable_400(client, db):
    response = client.post("/staff/password-reset/", {"email": "not an address"})
    assert response.status_code == 400 and "valid email" in response.content.decode()


def test_a_forged_reset_link_says_so(client, staff):
    response = client.get("/staff/password-reset/MQ/abc-def/", follow=True)
    assert response.status_code == 200 and "does not work" in response.content.decode()
