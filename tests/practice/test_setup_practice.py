"""First run: one command makes the practice and its owner, who gets their way in by email."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from practice.models import Practice, StaffMember, StaffRole

LINK = re.compile(r"https://booking\.example(/staff/[^\s\"<]+)")


def setup(**overrides):
    options = {"name": "Riverside Therapy", "time_zone": "Europe/Berlin"} | overrides
    call_command("setup_practice", owner_email="owner@riverside.example", **options)


def links(message) -> dict[str, str]:
    found = LINK.findall(message.body)
    return {
        "password": next(p for p in found if "/password-reset/" in p),
        "enrol": next(p for p in found if "/two-factor/enrol/" in p),
    }


def test_it_creates_the_practice_and_its_owner(db):
    setup()
    practice = Practice.objects.get()
    assert (practice.name, practice.slug, practice.time_zone) == (
        "Riverside Therapy",
        "riverside-therapy",
        "Europe/Berlin",
    )
    owner = get_user_model().objects.get()
    assert owner.email == "owner@riverside.example" and owner.is_staff
    assert not owner.is_superuser
    assert StaffMember.objects.get(user=owner).role == StaffRole.OWNER


def test_the_owner_is_emailed_one_time_links_and_no_password(db):
    setup()
    (message,) = mail.outbox
    assert message.to == ["owner@riverside.example"]
    assert set(links(message)) == {"password", "enrol"}


def test_the_owner_sets_a_password_then_enrols_two_factor_with_the_links(client, db):
    setup()
    found = links(mail.outbox[0])
    form = client.get(found["password"], follow=True)
    assert form.status_code == 200
    new_password = "a-long-owner-passphrase-42"
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    # The password link works once.
    assert "new_password1" not in client.get(found["password"], follow=True).content.decode()

    assert client.get(found["enrol"]).status_code == 302
    signed_in = client.post(
        "/staff/login/",
        {"username": "owner@riverside.example", "password": new_password},
    )
    assert signed_in.status_code == 302
    setup_page = client.get("/staff/two-factor/")
    assert setup_page.status_code == 200
    assert TOTPDevice.objects.filter(user__email="owner@riverside.example").exists()


@pytest.mark.parametrize("zone", ["Mars/Olympus", "Factory", "localtime", "europe/berlin", ""])
def test_it_refuses_what_is_not_a_time_zone(db, zone):
    with pytest.raises(CommandError, match="time zone"):
        setup(time_zone=zone)
    assert not Practice.objects.exists()
    assert mail.outbox == []


def test_it_takes_any_iana_zone(db):
    setup(time_zone="Etc/UTC")
    assert Practice.objects.get().time_zone == "Etc/UTC"


def test_it_runs_once_on_a_fresh_deployment(db):
    setup()
    with pytest.raises(CommandError, match="already"):
        setup(name="Another")
    assert Practice.objects.count() == 1
    assert len(mail.outbox) == 1
