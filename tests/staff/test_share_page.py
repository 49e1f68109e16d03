"""The staff's "Share and embed" page (issue 19): links, snippets, origins, counts per tag."""

from datetime import UTC, datetime, timedelta

import pytest

from booking.scheduling.selectors import source_ref_counts
from booking.scheduling.services import (
    Actor,
    appointment_cancel,
    appointment_confirm_hold,
    appointment_hold,
)
from practice.models import StaffRole
from tests.conftest import NOW
from tests.factories import PracticeFactory, SessionTypeFactory, TherapistFactory
from tests.support.staff import make_staff, sign_in

SITE = "https://booking.example"  # SITE_URL in practice/test_settings.py


def booked_through(therapist, start, ref, *, confirm=True):
    """A client's booking from a tagged link, the way the pages make it (hold, then details)."""
    hold = appointment_hold(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        start=start,
        source_ref=ref,
    )
    if not confirm:
        return hold
    details = {"first_name": "Sam", "last_name": "Sample", "email": "sam@example.com"}
    return appointment_confirm_hold(hold=hold, client_details=details | {"time_zone": "UTC"})


@pytest.fixture
def owner(practice):
    return make_staff(practice, StaffRole.OWNER)


def test_the_owner_sees_every_link_with_its_button_frame_and_popup(
    client, owner, therapist, practice, settings
):
    settings.BOOKING_EMBED_ORIGINS = ["https://www.lakeside.example"]
    practice.embed_origins = "https://blog.lakeside.example"
    practice.save()
    other = TherapistFactory(practice=practice, display_name="Jo Rivera")
    couples = SessionTypeFactory(practice=practice, name="Couples session")
    page = sign_in(client, owner).get("/staff/share/")
    assert page.status_code == 200
    text = page.content.decode()
    for path in (
        "/book/",
        f"/book/{therapist.slug}/",
        "/book/jo-rivera/",
        "/book/type/individual-session/",
        "/book/type/couples-session/",
    ):
        assert f'value="{SITE}{path}"' in text, path
    # The three snippets of a link, escaped for the page (so they copy as HTML).
    assert (
        f"&lt;a href=&quot;{SITE}/book/jo-rivera/&quot; class=&quot;book-button&quot;&gt;"
        "Book a session&lt;/a&gt;"
    ) in text
    assert f"&lt;iframe src=&quot;{SITE}/book/type/couples-session/&quot;" in text
    assert "data-booking-popup&gt;Book a session&lt;/a&gt;" in text
    assert f"&lt;script src=&quot;{SITE}/book/embed.js&quot; async&gt;" in text
    assert "https://www.lakeside.example" in text and "https://blog.lakeside.example" in text
    assert f'href="/admin/practice/practice/{practice.pk}/change/"' in text
    assert 'href="/staff/share/" aria-current="page"' in text  # the nav link
    assert other and couples


def test_a_therapist_sees_only_their_own_links_and_no_counts(client, practice, therapist):
    user = make_staff(practice, StaffRole.THERAPIST, therapist=therapist)
    colleague = TherapistFactory(practice=practice, display_name="Jo Rivera")
    text = sign_in(client, user).get("/staff/share/").content.decode()
    assert f'value="{SITE}/book/{therapist.slug}/"' in text
    assert f'value="{SITE}/book/{therapist.slug}/individual-session/"' in text
    assert colleague.slug not in text
    assert f'value="{SITE}/book/"' not in text
    assert "Bookings by source tag" not in text
    assert "/admin/practice/practice/" not in text


def test_a_source_tag_is_added_to_every_snippet(client, owner, therapist):
    text = sign_in(client, owner).get("/staff/share/", {"ref": "spring-newsletter"})
    text = text.content.decode()
    assert f'value="{SITE}/book/?ref=spring-newsletter"' in text
    assert f"&lt;iframe src=&quot;{SITE}/book/{therapist.slug}/?ref=spring-newsletter" in text


def test_a_tag_that_could_carry_personal_data_is_refused_readably(client, owner, therapist):
    page = sign_in(client, owner).get("/staff/share/", {"ref": "robin@example.com"})
    assert page.status_code == 400
    text = page.content.decode()
    assert "cannot be a tag" in text
    assert "?ref=robin" not in text


def test_the_page_is_never_framable_even_with_listed_origins(client, owner, settings):
    settings.BOOKING_EMBED_ORIGINS = ["https://www.lakeside.example"]
    page = sign_in(client, owner).get("/staff/share/")
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert "lakeside" not in page["Content-Security-Policy"]
    assert "no-store" in page["Cache-Control"] or "no-cache" in page["Cache-Control"]


def test_signed_out_and_outsiders_are_kept_out(client, practice):
    assert client.get("/staff/share/").status_code == 302
    stranger = make_staff(PracticeFactory(), StaffRole.OWNER)
    page = sign_in(client, stranger).get("/staff/share/")
    assert practice.name not in page.content.decode()


# conftest's now: Monday 2 March 2026 12:00 UTC. 15:00 UTC is 10:00 in New York
# (EST until 8 March), inside the therapist's Monday-Friday 09:00-17:00.
TUE, WED, THU, FRI = (datetime(2026, 3, d, 15, 0, tzinfo=UTC) for d in (3, 4, 5, 6))


def test_bookings_are_counted_per_tag_over_the_last_90_days(
    now, time_machine, therapist, practice, django_assert_max_num_queries
):
    # 89 days before now (Wed 3 Dec 2025): inside; 91 days (Mon 1 Dec 2025): outside.
    time_machine.move_to(NOW - timedelta(days=89), tick=False)
    booked_through(therapist, datetime(2025, 12, 5, 15, 0, tzinfo=UTC), "article-a")
    time_machine.move_to(NOW - timedelta(days=91), tick=False)
    booked_through(therapist, datetime(2025, 12, 3, 15, 0, tzinfo=UTC), "old-post")
    time_machine.move_to(NOW, tick=False)
    booked_through(therapist, TUE, "article-a")
    cancelled = booked_through(therapist, WED, "article-a")
    appointment_cancel(appointment=cancelled, actor=Actor.CLIENT)
    booked_through(therapist, THU, "newsletter")
    booked_through(therapist, FRI, "article-a", confirm=False)  # a hold only: no booking
    booked_through(therapist, datetime(2026, 3, 9, 15, 0, tzinfo=UTC), "")  # no tag
    elsewhere = TherapistFactory(offers=[SessionTypeFactory()])  # another practice
    booked_through(elsewhere, TUE, "article-a")

    with django_assert_max_num_queries(1):
        counts = source_ref_counts(practice=practice, now=NOW)
    assert counts == [
        {"ref": "article-a", "booked": 2, "cancelled": 1},
        {"ref": "newsletter", "booked": 1, "cancelled": 0},
    ]


def test_the_owner_reads_the_counts_without_a_query_per_tag(
    client, now, owner, therapist, practice, django_assert_max_num_queries
):
    sign_in(client, owner)
    client.get("/staff/share/")  # sessions, caches: warm
    with django_assert_max_num_queries(12) as few:
        client.get("/staff/share/")
    booked_through(therapist, TUE, "article-a")
    booked_through(therapist, WED, "newsletter")
    booked_through(therapist, THU, "spring-letter")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/staff/share/")
    text = page.content.decode()
    for tag in ("article-a", "newsletter", "spring-letter"):
        assert f'<th scope="row"><code>{tag}</code></th><td>1</td><td>0</td>' in text
    assert "sam@example.com" not in text and "Sample" not in text


def test_the_front_desk_sees_the_practices_links_but_not_the_counts(client, practice, therapist):
    desk = make_staff(practice, StaffRole.RECEPTIONIST)
    text = sign_in(client, desk).get("/staff/share/").content.decode()
    assert f'value="{SITE}/book/"' in text and f'value="{SITE}/book/{therapist.slug}/"' in text
    assert "Bookings by source tag" not in text
    assert "/admin/practice/practice/" not in text and "The practice owner keeps this list" in text
