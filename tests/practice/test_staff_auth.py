"""Staff sign-in: password, authenticator codes (TOTP) and recovery codes, enrolment links,
lockout after repeated failures (behind the proxy too)."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from practice.models import StaffRole
from practice.two_factor import ENROLMENT_LINK_HOURS, enrolment_link_create
from tests.support.staff import make_staff, sign_in

PASSWORD = "a-long-staff-password-2026"


def code_for(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return str(totp.token()).zfill(device.digits)


@pytest.fixture
def receptionist(practice):
    user = make_staff(practice, StaffRole.RECEPTIONIST, two_factor=False)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def owner(practice):
    return make_staff(practice, StaffRole.OWNER)


def login(client, username, password=PASSWORD, otp_token="", **extra):
    return client.post(
        "/staff/login/",
        {"username": username, "password": password, "otp_token": otp_token},
        **extra,
    )


def enrol_with_link(client, user, link: str, time_machine) -> list[str]:
    """Open the link, sign in with the password, confirm a code: returns the recovery codes."""
    response = client.get(link.removeprefix("https://booking.example"))
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")
    assert login(client, user.username).status_code == 302
    assert client.get("/staff/two-factor/").status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    confirmed = client.post("/staff/two-factor/", {"token": code_for(device)})
    assert confirmed.status_code == 200, confirmed.content
    page = confirmed.content.decode()
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)


def test_a_new_staff_member_sets_up_an_authenticator_with_the_owners_link(
    client, receptionist, owner, time_machine
):
    link = enrolment_link_create(user=receptionist, created_by=owner)
    response = client.get(link.removeprefix("https://booking.example"))
    assert response.status_code == 302
    assert login(client, receptionist.username).status_code == 302
    assert client.get("/staff/clients/")["Location"] == "/staff/two-factor/"
    setup = client.get("/staff/two-factor/")
    assert setup.status_code == 200 and "<svg" in setup.content.decode()
    device = TOTPDevice.objects.get(user=receptionist, confirmed=False)
    wrong = client.post("/staff/two-factor/", {"token": "000000"})
    assert wrong.status_code == 400 and "does not match" in wrong.content.decode()
    # django-otp slows down guessing: the next try waits a moment.
    time_machine.move_to(timezone.now() + timedelta(seconds=5))
    done = client.post("/staff/two-factor/", {"token": code_for(device)})
    assert done.status_code == 200 and "recovery codes" in done.content.decode()
    assert "no-store" in done["Cache-Control"]
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/staff/clients/").status_code == 200


def test_a_password_alone_cannot_enrol_a_device(client, receptionist):
    assert login(client, receptionist.username).status_code == 302
    refused = client.get("/staff/two-factor/")
    assert refused.status_code == 403 and "link" in refused.content.decode()
    assert client.post("/staff/two-factor/", {"token": "123456"}).status_code == 403
    assert not TOTPDevice.objects.filter(user=receptionist).exists()
    assert client.get("/staff/clients/")["Location"] == "/staff/two-factor/"


def test_an_enrolment_link_works_once_and_only_for_its_user(
    client, receptionist, owner, practice, time_machine
):
    link = enrolment_link_create(user=receptionist, created_by=owner)
    codes = enrol_with_link(client, receptionist, link, time_machine)
    assert len(codes) == 10
    client.logout()
    assert client.get(link.removeprefix("https://booking.example")).status_code == 404
    # Someone else's password with a colleague's link enrols nothing either.
    other = make_staff(practice, StaffRole.RECEPTIONIST, two_factor=False)
    other.set_password(PASSWORD)
    other.save()
    fresh = enrolment_link_create(user=receptionist, created_by=owner)
    client.get(fresh.removeprefix("https://booking.example"))
    login(client, other.username)
    assert client.get("/staff/two-factor/").status_code == 403


def test_an_enrolment_link_expires(client, receptionist, owner, time_machine):
    link = enrolment_link_create(user=receptionist, created_by=owner)
    time_machine.move_to(timezone.now() + timedelta(hours=ENROLMENT_LINK_HOURS, seconds=1))
    assert client.get(link.removeprefix("https://booking.example")).status_code == 404


def test_a_recovery_code_signs_in_once_in_place_of_the_app(
    client, receptionist, owner, time_machine
):
    codes = enrol_with_link(
        client,
        receptionist,
        enrolment_link_create(user=receptionist, created_by=owner),
        time_machine,
    )
    client.logout()
    assert login(client, receptionist.username, otp_token=codes[0]).status_code == 302
    assert client.get("/staff/clients/").status_code == 200
    client.logout()
    assert login(client, receptionist.username, otp_token=codes[0]).status_code == 400
    # django-otp slows down guessing after a wrong code.
    time_machine.move_to(timezone.now() + timedelta(seconds=5))
    assert login(client, receptionist.username, otp_token=codes[1]).status_code == 302


def test_new_recovery_codes_cancel_the_old_ones(client, receptionist, owner, time_machine):
    old = enrol_with_link(
        client,
        receptionist,
        enrolment_link_create(user=receptionist, created_by=owner),
        time_machine,
    )
    page = client.post("/staff/two-factor/recovery-codes/").content.decode()
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)
    assert len(new) == 10 and not set(new) & set(old)
    client.logout()
    assert login(client, receptionist.username, otp_token=old[2]).status_code == 400
    time_machine.move_to(timezone.now() + timedelta(seconds=5))
    assert login(client, receptionist.username, otp_token=new[0]).status_code == 302


def test_a_lost_phone_recovery_code_then_a_new_app(client, receptionist, owner, time_machine):
    codes = enrol_with_link(
        client,
        receptionist,
        enrolment_link_create(user=receptionist, created_by=owner),
        time_machine,
    )
    old_device = TOTPDevice.objects.get(user=receptionist, confirmed=True)
    client.logout()
    login(client, receptionist.username, otp_token=codes[0])
    assert client.get("/staff/two-factor/replace/").status_code == 200
    new_device = TOTPDevice.objects.get(user=receptionist, confirmed=False)
    assert (
        client.post("/staff/two-factor/replace/", {"token": code_for(new_device)}).status_code
        == 200
    )
    assert list(TOTPDevice.objects.filter(user=receptionist)) == [new_device]
    assert not TOTPDevice.objects.filter(pk=old_device.pk).exists()
    assert client.get("/staff/clients/").status_code == 200


def test_replacing_the_app_needs_a_session_that_passed_two_factor(client, receptionist):
    TOTPDevice.objects.create(user=receptionist, name="phone", confirmed=True)
    client.force_login(receptionist)
    assert client.get("/staff/two-factor/replace/")["Location"] == "/staff/two-factor/"
    assert client.post("/staff/two-factor/recovery-codes/")["Location"] == "/staff/two-factor/"
    assert TOTPDevice.objects.filter(user=receptionist).count() == 1


def test_an_owner_resets_a_colleagues_two_factor_and_hands_over_a_new_link(
    client, receptionist, owner, time_machine
):
    TOTPDevice.objects.create(user=receptionist, name="lost phone", confirmed=True)
    sign_in(client, owner)
    team = client.get("/staff/team/")
    assert team.status_code == 200 and receptionist.username in team.content.decode()
    reset = client.post(f"/staff/team/{receptionist.pk}/reset-two-factor/")
    assert reset.status_code == 200
    assert not TOTPDevice.objects.filter(user=receptionist).exists()
    link = re.search(
        r'value="(https://booking.example/staff/two-factor/enrol/[^"]+)"', reset.content.decode()
    )[1]
    other = Client()
    assert len(enrol_with_link(other, receptionist, link, time_machine)) == 10


def test_only_an_owner_manages_the_teams_two_factor(client, receptionist, practice):
    colleague = make_staff(practice, StaffRole.RECEPTIONIST)
    sign_in(client, colleague)
    assert client.get("/staff/team/").status_code == 403
    assert client.post(f"/staff/team/{receptionist.pk}/enrolment-link/").status_code == 403
    assert client.post(f"/staff/team/{receptionist.pk}/reset-two-factor/").status_code == 403


def test_the_enrolment_link_command_prints_a_working_link(receptionist):
    out = StringIO()
    call_command("two_factor_link", receptionist.username, stdout=out, stderr=StringIO())
    assert out.getvalue().startswith("https://booking.example/staff/two-factor/enrol/")
    with pytest.raises(CommandError):
        call_command("two_factor_link", "nobody", stdout=StringIO(), stderr=StringIO())


def test_with_a_device_the_code_is_required_at_sign_in(client, receptionist):
    device = TOTPDevice.objects.create(user=receptionist, name="phone", confirmed=True)
    response = login(client, receptionist.username)
    assert response.status_code == 400 and "six-digit code" in response.content.decode()
    assert client.get("/staff/clients/").status_code == 302  # not signed in
    response = login(client, receptionist.username, otp_token=code_for(device))
    assert response.status_code == 302
    assert client.get("/staff/clients/").status_code == 200


def test_a_practice_may_allow_password_only(client, receptionist, practice):
    practice.require_two_factor = False
    practice.save()
    login(client, receptionist.username)
    assert client.get("/staff/clients/").status_code == 200


def test_repeated_failures_lock_the_account_from_that_address_with_a_429(
    client, receptionist, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, receptionist.username, password="wrong").status_code == 400
    locked = login(client, receptionist.username, password="wrong")
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == settings.AXES_COOLOFF_TIME * 3600
    assert "Try again in 15 minutes" in locked.content.decode()
    # Even the right password is refused while locked.
    assert login(client, receptionist.username).status_code == 429
    # Another address is not locked out by someone else's guesses.
    other = login(client, receptionist.username, REMOTE_ADDR="198.51.100.23")
    assert other.status_code == 302


def test_wrong_codes_count_towards_the_lockout(client, receptionist, settings):
    TOTPDevice.objects.create(user=receptionist, name="phone", confirmed=True)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, receptionist.username, otp_token="123456").status_code == 400
    assert login(client, receptionist.username, otp_token="123456").status_code == 429


def test_the_admin_sends_everyone_to_the_staff_sign_in(client, db):
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")


def test_sign_out_needs_a_post(client, receptionist, practice):
    practice.require_two_factor = False
    practice.save()
    login(client, receptionist.username)
    assert client.get("/staff/logout/").status_code == 405
    assert client.post("/staff/logout/").status_code == 302
    assert client.get("/staff/clients/").status_code == 302


@pytest.mark.parametrize("weak", ["short-pw", "password1234", "123456789012"])
def test_weak_staff_passwords_are_refused(weak):
    with pytest.raises(ValidationError):
        validate_password(weak)


# --- Behind the TLS proxy: the client's address, not the proxy's ------------------

PROXY = "10.0.0.2"


@pytest.fixture
def behind_one_proxy(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def via_proxy(forwarded_for: str) -> dict:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded_for}


def test_behind_the_proxy_one_clients_bad_passwords_do_not_lock_out_another(
    client, receptionist, settings, behind_one_proxy
):
    attacker = via_proxy("203.0.113.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, receptionist.username, password="wrong", **attacker)
    assert login(client, receptionist.username, **attacker).status_code == 429
    # The real user comes through the same proxy from their own address.
    assert login(client, receptionist.username, **via_proxy("198.51.100.7")).status_code == 302


def test_a_client_cannot_pick_its_address_with_a_forged_forwarded_header(
    client, receptionist, settings, behind_one_proxy
):
    # The proxy appends the address it saw; whatever the client sent comes before it.
    for forged in range(settings.AXES_FAILURE_LIMIT):
        headers = via_proxy(f"192.0.2.{forged}, 203.0.113.9")
        login(client, receptionist.username, password="wrong", **headers)
    assert (
        login(client, receptionist.username, **via_proxy("192.0.2.77, 203.0.113.9")).status_code
        == 429
    )
    assert login(client, receptionist.username, **via_proxy("198.51.100.7")).status_code == 302


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, receptionist, settings):
    for forged in range(settings.AXES_FAILURE_LIMIT):
        login(
            client,
            receptionist.username,
            password="wrong",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{forged}",
        )
    assert (
        login(client, receptionist.username, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429
    )


def test_a_malformed_forwarded_address_is_a_readable_failure_not_a_500(
    client, receptionist, behind_one_proxy
):
    response = login(client, receptionist.username, password="wrong", **via_proxy("not-an-ip"))
    assert response.status_code == 400
    assert login(client, receptionist.username, **via_proxy("not-an-ip")).status_code == 302


@pytest.fixture
def low_login_rate(monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(
        ScopedRateThrottle,
        "THROTTLE_RATES",
        {**ScopedRateThrottle.THROTTLE_RATES, "login": "3/hour"},
    )


def test_sign_in_attempts_from_one_address_are_limited_across_user_names(
    client, receptionist, low_login_rate, behind_one_proxy
):
    sprayer = via_proxy("203.0.113.9")
    for name in ("anna", "ben", "carla"):
        assert login(client, name, password="Winter2026!", **sprayer).status_code == 400
    limited = login(client, "dora", password="Winter2026!", **sprayer)
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 3600
    assert "Please wait a moment" in limited.content.decode()
    # Reading the page is not an attempt, and other addresses have their own allowance.
    assert client.get("/staff/login/", **sprayer).status_code == 200
    assert login(client, receptionist.username, **via_proxy("198.51.100.7")).status_code == 302


def test_successful_sign_ins_from_a_shared_office_address_are_not_counted(
    receptionist, low_login_rate, behind_one_proxy
):
    """Trial: after 30 good sign-ins in an hour from one address, every sign-in (anyone's)
    got a 429: an office behind one address would be locked out at the start of a day."""
    office = via_proxy("198.51.100.7")
    for _ in range(5):  # the limit is 3 an hour here
        desk = Client()
        assert login(desk, receptionist.username, **office).status_code == 302
    # Failures still count, and are still limited.
    for _ in range(3):
        assert login(Client(), receptionist.username, password="nope", **office).status_code == 400
    assert login(Client(), receptionist.username, **office).status_code == 429
