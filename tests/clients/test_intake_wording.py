"""Intake pages written for a person: scale ends, required marks, plain errors, a human hint."""

import re

from tests.clients.conftest import intake_email, intake_link_from


def test_a_scale_shows_what_its_ends_mean(client, booked):
    page = client.get(intake_link_from(intake_email()) + "questions/").content.decode()
    assert "Very badly" in page and "Very well" in page


def test_required_questions_are_marked(client, booked):
    page = client.get(intake_link_from(intake_email()) + "questions/").content.decode()
    reason = re.search(r'<label for="id_reason">(.*?)</label>', page, re.S).group(1)
    medications = re.search(r'<label for="id_medications">(.*?)</label>', page, re.S).group(1)
    assert "(required)" in reason and "(required)" not in medications


def test_a_missing_answer_is_explained_in_plain_words(client, booked):
    link = intake_link_from(intake_email())
    response = client.post(link + "questions/", {"reason": "Sleep", "action": "next"})
    text = response.content.decode()
    assert "This field is required." not in text
    assert "Please answer this question" in text


def test_missing_details_on_the_first_step_are_explained_in_plain_words(client, booked):
    link = intake_link_from(intake_email())
    response = client.post(link + "about/", {"first_name": "", "action": "next"})
    text = response.content.decode()
    assert "This field is required." not in text and "Please fill in" in text


def test_the_phone_hint_reads_like_a_person_wrote_it(client, booked):
    page = client.get(intake_link_from(intake_email()) + "about/").content.decode()
    assert "E.164" not in page and "country code" in page


def test_the_consent_text_box_can_be_reached_and_scrolled_by_keyboard(client, booked):
    link = intake_link_from(intake_email())
    page = client.get(link + "consent/").content.decode()
    boxes = re.findall(r'<div class="consent-text"[^>]*>', page)
    assert boxes and all('tabindex="0"' in box and "aria-label=" in box for box in boxes)


def test_the_times_page_goes_from_h1_to_h2(client, now, therapist):
    page = client.get("/book/times/", {"session_type": therapist.session_types.get().pk})
    levels = [int(n) for n in re.findall(r"<h([1-6])", page.content.decode())]
    # h1, then the day (h2), then its parts (h3 Morning, Afternoon): no level skipped.
    assert levels[0] == 1 and 2 in levels
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
