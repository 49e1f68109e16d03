"""The whole intake in a real browser: a new client books, fills in the forms and consent,
the front desk reviews it, and the therapist sees the scores and the safety flag."""

import re

from django.core import mail
from django_otp.plugins.otp_totp.models import TOTPDevice

from clients.intake import services as intake_services
from clients.intake.questions import DEFAULT_QUESTIONS
from clients.models import ConsentDocument, ConsentKind, Intake, IntakeForm, IntakeStatus
from practice.models import StaffRole
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible
from tests.browser.test_booking_pages import choose, confirm_by_email, fill_details, slot_after
from tests.practice.test_staff_auth import code_for
from tests.support.staff import make_staff

PASSWORD = "browser-test-staff-password"


def set_up_intake(practice):
    practice.intake_enabled = True
    practice.save()
    form = IntakeForm.objects.create(practice=practice, name="Intake")
    intake_services.intake_form_publish(form=form, questions_list=DEFAULT_QUESTIONS)
    for kind, title in [
        (ConsentKind.INFORMED_CONSENT, "Informed consent to treatment"),
        (ConsentKind.PRIVACY_NOTICE, "Privacy notice"),
    ]:
        document = ConsentDocument.objects.create(practice=practice, kind=kind, title=title)
        intake_services.consent_publish(document=document, text=f"The {title.lower()}, in full.")


def staff_user(practice, role, **kwargs):
    user = make_staff(practice, role, **kwargs)
    user.email = f"{user.username}@lakeside.example"
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(page, user):
    page.goto(page.base + "/staff/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(
        code_for(TOTPDevice.objects.get(user=user))
    )
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/staff/$"))


def test_book_intake_review_and_the_therapist_sees_scores_and_the_flag(open_page, clinic, shot):
    practice = clinic["practice"]
    set_up_intake(practice)
    alex = clinic["therapists"][0]
    therapist_user = staff_user(practice, StaffRole.THERAPIST, therapist=alex)
    receptionist = staff_user(practice, StaffRole.RECEPTIONIST)

    # 1. A new client books their first session.
    page = open_page(viewport=PHONE)
    choose(page, clinic, therapist=alex)
    slot_after(page, 2).click()
    page.wait_for_url(re.compile(r"/book/details/"))
    fill_details(page, **{"First name": "Morgan", "Last name": "Testperson"})
    page.get_by_role("button", name="Book this session").click()
    page.wait_for_url(re.compile(r"/book/manage/.*booked=1"))
    assert not [m for m in mail.outbox if "/intake/" in m.body]  # not before the address is proven
    confirm_by_email(page)

    # 2. The intake link arrives by email.
    (invite,) = [m for m in mail.outbox if "/intake/" in m.body]
    link = re.search(r"https?://\S+(/intake/[^/\s]+/)", invite.body).group(1)
    page.goto(page.base + link)
    assert page.get_by_role("heading", name="Your intake forms").is_visible()
    assert_accessible(page)
    shot(page, "1-intake-start")

    # 3. Their details, the questionnaire, the two measures, consent.
    page.get_by_role("link", name="Start").click()
    page.get_by_label("Date of birth").fill("1990-04-21")
    page.get_by_label("Emergency contact: name").fill("Jamie Testperson")
    page.get_by_label("Emergency contact: phone").fill("+44 20 7946 0000")
    page.get_by_label("Pronouns (optional)").fill("she/her")
    assert_accessible(page)
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r"/questions/$"))
    page.get_by_label("What brings you to therapy now?").fill("Trouble sleeping since a move")
    page.locator("#id_previous_therapy_1").check()
    page.locator("#id_wellbeing_4").check()
    assert_accessible(page)
    shot(page, "2-questionnaire")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r"/wellbeing/$"))
    for item, value in enumerate([2, 2, 1, 2, 1, 1, 1, 0]):
        page.locator(f"#phq9_{item}_{value}").check()
    crisis = page.locator("#crisis")
    assert crisis.is_hidden()
    page.locator("#phq9_8_1").check()  # item 9: "Several days"
    assert crisis.is_visible()  # at once, before anything is sent
    for item, value in enumerate([2, 2, 2, 1, 1, 1, 1]):
        page.locator(f"#gad7_{item}_{value}").check()
    assert_accessible(page)
    page.get_by_role("button", name="Save and continue").click()
    assert page.locator("#crisis").is_visible()  # and again on the saved page
    shot(page, "3-crisis-resources")
    alert = [m for m in mail.outbox if m.subject.startswith("Urgent")]
    assert [m.to for m in alert] == [[therapist_user.email]]
    page.get_by_role("link", name="Go on to the last step").click()
    page.wait_for_url(re.compile(r"/consent/$"))
    page.get_by_label("I have read and agree to the informed consent to treatment").check()
    page.get_by_label("I have read and agree to the privacy notice").check()
    page.get_by_label("Type your full name to sign").fill("Morgan Testperson")
    assert_accessible(page)
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r"/intake/[^/]+/$"))
    page.get_by_role("button", name="Send my forms to the practice").click()
    assert page.get_by_text("Thank you: your forms are with the practice.").is_visible()
    intake = Intake.objects.get(client__email="robin@example.com")
    assert intake.status == IntakeStatus.SUBMITTED

    # 4. The front desk sees it in the queue and marks it reviewed.
    desk = open_page(viewport=DESKTOP)
    sign_in(desk, receptionist)
    desk.get_by_role("link", name="Intake queue").first.click()
    row = desk.get_by_test_id("queue-row").filter(has_text="Morgan Testperson")
    assert "Submitted" in row.inner_text() and "complete" in row.inner_text()
    assert_accessible(desk)
    shot(desk, "4-intake-queue")
    row.get_by_role("button", name="Mark reviewed").click()
    desk.wait_for_url(re.compile(r"/staff/intake/$"))
    assert desk.get_by_test_id("queue-row").filter(has_text="Morgan Testperson").count() == 0
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.REVIEWED
    # The front desk's view of the record has no scores.
    desk.goto(desk.base + f"/staff/clients/{intake.client.public_id}/")
    assert desk.get_by_role("heading", name="Screeners").count() == 0

    # 5. The therapist sees the alert first, then the scores.
    office = open_page(viewport=DESKTOP)
    sign_in(office, therapist_user)
    banner = office.get_by_role("alert").filter(has_text="Safety alerts")
    assert banner.is_visible()
    banner.get_by_role("link", name="Morgan Testperson").click()
    assert office.get_by_role("heading", name=re.compile("Safety flag")).is_visible()
    assert office.get_by_test_id("phq9-score").inner_text() == "11 / 27"
    assert office.get_by_test_id("gad7-score").inner_text() == "10 / 21"
    assert office.get_by_text("Trouble sleeping since a move").is_visible()
    assert_accessible(office)
    shot(office, "5-therapist-client-view")
