"""Staff API tokens: issued by owners, shown once, stored as a digest, expiring, revocable."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from practice.api_tokens import api_token_issue
from practice.models import ApiToken, StaffRole
from tests.factories import PracticeFactory
from tests.support.staff import make_staff, sign_in

API = "/api/v1/staff/appointments/"


@pytest.fixture
def owner(practice):
    return make_staff(practice, StaffRole.OWNER)


@pytest.fixture
def receptionist(practice):
    return make_staff(practice, StaffRole.RECEPTIONIST)


def issue_on_the_page(client, owner, user, **fields):
    sign_in(client, owner)
    data = {"name": "Billing export", "user": user.pk, "days_valid": 30} | fields
    return client.post("/staff/api-tokens/", data)


def issued_token(response) -> str:
    page = response.content.decode()
    start = page.index('value="ptk_') + len('value="')
    return page[start : page.index('"', start)]


def call(client, token):
    return client.get(API, HTTP_AUTHORIZATION=f"Token {token}")


def test_an_owner_issues_a_token_that_is_shown_once_and_works(client, owner, receptionist):
    response = issue_on_the_page(client, owner, receptionist)
    assert response.status_code == 200
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    )
    token = issued_token(response)
    client.logout()
    assert call(client, token).status_code == 200
    # Listed afterwards by name and public prefix only.
    listing = issue_on_the_page(client, owner, receptionist, name="").content.decode()
    assert token not in listing and "Billing export" in listing


def test_only_a_digest_is_stored(owner, receptionist):
    row, token = api_token_issue(user=receptionist, name="x", days_valid=1, issued_by=owner)
    secret = token.split("_", 2)[2]  # the secret may itself contain "_"
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM practice_apitoken")
        stored = " ".join(str(value) for value in cursor.fetchone())
    assert secret not in stored and token not in stored


def test_a_token_records_when_it_was_last_used(client, owner, receptionist, time_machine):
    row, token = api_token_issue(user=receptionist, name="x", days_valid=1, issued_by=owner)
    assert row.last_used_at is None
    call(client, token)
    row.refresh_from_db()
    assert row.last_used_at is not None and timezone.now() - row.last_used_at < timedelta(seconds=5)


def test_an_expired_token_is_refused(client, owner, receptionist, time_machine):
    _, token = api_token_issue(user=receptionist, name="x", days_valid=1, issued_by=owner)
    time_machine.move_to(timezone.now() + timedelta(days=1, seconds=1))
    assert call(client, token).status_code == 403


def test_a_revoked_token_is_refused(client, owner, receptionist):
    row, token = api_token_issue(user=receptionist, name="x", days_valid=1, issued_by=owner)
    sign_in(client, owner)
    assert client.post(f"/staff/api-tokens/{row.pk}/revoke/").status_code == 302
    client.logout()
    assert call(client, token).status_code == 403
    row.refresh_from_db()
    assert row.revoked_at is not None


@pytest.mark.parametrize(
    "header",
    [
        "Token ptk_000000000000_guess",
        "Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b",  # an old plain DRF key
        "Token",
        "Token a b",
    ],
)
def test_a_wrong_or_old_style_token_is_refused(client, owner, receptionist, header):
    api_token_issue(user=receptionist, name="x", days_valid=1, issued_by=owner)
    assert client.get(API, HTTP_AUTHORIZATION=header).status_code == 403


def test_a_tampered_secret_is_refused(client, owner, receptionist):
    _, token = api_token_issue(user=receptionist, name="x", days_valid=1, issued_by=owner)
    assert (
        call(client, token[:-2] + ("AA" if not token.endswith("AA") else "BB")).status_code == 403
    )


def test_only_owners_issue_or_revoke_tokens(client, owner, receptionist):
    row, _ = api_token_issue(user=receptionist, name="x", days_valid=1, issued_by=owner)
    sign_in(client, receptionist)
    assert client.get("/staff/api-tokens/").status_code == 403
    assert client.post(f"/staff/api-tokens/{row.pk}/revoke/").status_code == 403


@pytest.mark.parametrize(
    "fields", [{"days_valid": 0}, {"days_valid": 9999}, {"days_valid": "soon"}, {"name": ""}]
)
def test_bad_input_is_a_readable_400(client, owner, receptionist, fields):
    response = issue_on_the_page(client, owner, receptionist, **fields)
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_an_owner_cannot_issue_a_token_for_another_practices_staff(client, owner):
    stranger = make_staff(PracticeFactory(), StaffRole.OWNER)
    assert issue_on_the_page(client, owner, stranger).status_code == 400
    assert not ApiToken.objects.exists()


def test_the_admin_lists_tokens_but_never_a_usable_one(client, owner, receptionist):
    row, token = api_token_issue(user=receptionist, name="Billing", days_valid=1, issued_by=owner)
    sign_in(client, owner)
    listing = client.get("/admin/practice/apitoken/")
    assert listing.status_code == 200 and "Billing" in listing.content.decode()
    detail = client.get(f"/admin/practice/apitoken/{row.pk}/change/").content.decode()
    for page in (listing.content.decode(), detail):
        # The secret may itself contain "_" (URL-safe base64): everything after the key id.
        assert token.split("_", 2)[2] not in page and row.digest not in page
    assert client.get("/admin/practice/apitoken/add/").status_code == 403
    revoked = client.post(
        "/admin/practice/apitoken/",
        {"action": "revoke", "_selected_action": [row.pk]},
    )
    assert revoked.status_code == 302
    assert call(client.__class__(), token).status_code == 403
