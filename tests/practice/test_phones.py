"""Tap to call: the practice's phone and the crisis numbers are tel: links (E.164 href)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from booking.scheduling.selectors import manage_token
from booking.scheduling.services import appointment_book
from clients.intake.services import intake_resend
from clients.intake.tokens import intake_token
from practice.phones import link_numbers, tel_href
from tests.booking.test_pages import TUESDAY_10
from tests.factories import ClientFactory


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="(tel:[^"]*)"', html)


@pytest.mark.parametrize(
    "written,region,href",
    [
        ("+1 212 555 0100", "US", "tel:+12125550100"),
        ("(212) 555-0100", "US", "tel:+12125550100"),
        ("212.555.0100", "US", "tel:+12125550100"),
        ("020 7946 0000", "GB", "tel:+442079460000"),
        ("+44 20 7946 0000", "US", "tel:+442079460000"),
        ("988", "US", "tel:988"),
        ("116 123", "GB", "tel:116123"),
        ("999", "US", ""),  # not a number one can call in the US
        ("call us", "US", ""),
        ("", "US", ""),
    ],
)
def test_a_number_links_to_its_e164_form_or_a_short_numbers_digits(written, region, href):
    assert tel_href(written, region) == href


def test_the_numbers_in_free_text_become_links_and_the_rest_stays_text():
    text = "Call (212) 555-0100 or 988 <at any hour>, from 10:00 in 2026; 1.500 and 12345678."
    html = str(link_numbers(text, "US"))
    assert hrefs(html) == ["tel:+12125550100", "tel:988"]
    assert '<a href="tel:+12125550100">(212) 555-0100</a>' in html
    assert "&lt;at any hour&gt;" in html and "10:00 in 2026" in html


def test_the_default_crisis_text_links_the_numbers_of_the_practices_region(practice, settings):
    settings.PHONE_DEFAULT_REGION = "GB"
    html = str(link_numbers(practice.crisis_resources, "GB"))
    assert {"tel:999", "tel:112", "tel:116123"} <= set(hrefs(html))


@pytest.fixture
def national_phone(practice):
    practice.contact_phone = "(212) 555-0100"
    practice.save()
    return practice


def test_the_manage_page_and_error_pages_link_the_practices_phone(
    client, now, national_phone, therapist
):
    appointment = appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=ClientFactory(practice=national_phone),
        start=TUESDAY_10,
    )
    # Inside the late-cancel window the page says to call: a link.
    with time_machine.travel(TUESDAY_10 - timedelta(hours=2), tick=False):
        page = client.get(f"/book/manage/{manage_token(appointment)}/").content.decode()
    assert hrefs(page) == ["tel:+12125550100"]
    assert hrefs(client.get("/book/manage/garbled/").content.decode()) == ["tel:+12125550100"]
    assert hrefs(client.get("/book/no-such-page/").content.decode()) == ["tel:+12125550100"]


def test_html_emails_link_the_practices_phone(
    now, national_phone, therapist, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment_book(
            therapist=therapist,
            session_type=therapist.session_types.get(),
            client=ClientFactory(practice=national_phone),
            start=TUESDAY_10,
        )
    (email,) = mail.outbox
    (html, _), *_ = email.alternatives
    assert set(hrefs(html)) == {"tel:+12125550100"}
    assert "(212) 555-0100" in email.body and "tel:" not in email.body


def test_the_crisis_resources_on_intake_pages_are_tap_to_call(client, now, intake_practice):
    intake = intake_resend(client=ClientFactory(practice=intake_practice))
    page = client.get(f"/intake/{intake_token(intake)}/wellbeing/").content.decode()
    assert {"tel:911", "tel:988", "tel:112"} <= set(hrefs(page))
    assert "Suicide &amp; Crisis Lifeline" in page
