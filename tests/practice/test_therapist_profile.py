"""Therapists' profiles (issue 19): a photo resized and stripped server-side, a short bio,
in person / video and languages, shown on the booking page's therapist choice."""

import io
import re

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from practice.models import StaffRole, Therapist
from tests.factories import SessionTypeFactory, TherapistFactory
from tests.support.staff import make_staff, sign_in


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def camera_photo(size=(300, 600), fmt="JPEG", orientation=6) -> bytes:
    """A portrait photo as a phone stores it: top half red, bottom half blue, EXIF saying
    "turn 90° clockwise to show" (orientation 6), the camera and a GPS position."""
    image = Image.new("RGB", size, "blue")
    image.paste("red", (0, 0, size[0], size[1] // 2))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Examplecam"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, fmt, exif=exif.tobytes(), comment=b"<script>alert(1)</script>")
    return out.getvalue() + b"<script>alert(2)</script>"


def upload(client, data: bytes, name="me.jpg", **fields):
    body = {
        "bio": "I work with adults on anxiety.",
        "languages": "English, Spanish",
        "sees_in_person": "on",
        "sees_by_video": "on",
        **fields,
    }
    if data is not None:
        body["photo_upload"] = io.BytesIO(data)
        body["photo_upload"].name = name
    return client.post("/staff/profile/", body)


@pytest.fixture
def signed_in(client, practice, therapist):
    sign_in(client, make_staff(practice, StaffRole.THERAPIST, therapist=therapist))
    return client


def test_a_photo_is_turned_cropped_resized_and_stripped_of_its_metadata(
    signed_in, therapist, media
):
    response = upload(signed_in, camera_photo(size=(1200, 2400)))
    assert response.status_code == 302
    therapist.refresh_from_db()
    stored = (media / therapist.photo.name).read_bytes()
    image = Image.open(io.BytesIO(stored))
    assert (image.format, image.size) == ("JPEG", (400, 400))
    assert not image.getexif() and "exif" not in image.info and "comment" not in image.info
    assert b"Examplecam" not in stored and b"script" not in stored
    # Shown upright: the stored top (red) is on the right once turned clockwise.
    red, blue = image.getpixel((350, 200)), image.getpixel((50, 200))
    assert red[0] > 200 > red[2] and blue[2] > 200 > blue[0]
    assert re.fullmatch(r"therapists/[0-9a-f]{32}\.jpg", therapist.photo.name)
    assert (therapist.bio, therapist.languages) == (
        "I work with adults on anxiety.",
        "English, Spanish",
    )
    assert therapist.modalities == ["In person", "Video"]


def test_a_small_png_with_transparency_stays_small_on_white(signed_in, therapist, media):
    image = Image.new("RGBA", (120, 80), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    assert upload(signed_in, out.getvalue(), name="me.png").status_code == 302
    therapist.refresh_from_db()
    stored = Image.open(media / therapist.photo.name)
    assert stored.size == (80, 80) and stored.getpixel((40, 40)) == (255, 255, 255)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"<html><script>alert(1)</script></html>", "not a photo we can read"),
        (b"GIF89a" + b"\x00" * 100, "not a photo we can read"),
    ],
    ids=["html", "gif-header"],
)
def test_a_file_that_is_not_a_photo_is_refused_readably(signed_in, therapist, data, says):
    response = upload(signed_in, data, bio="Changed")
    assert response.status_code == 400
    assert says in response.content.decode()
    therapist.refresh_from_db()
    assert therapist.photo.name == "" and therapist.bio == ""


def test_a_photo_too_large_or_with_too_many_pixels_is_refused(signed_in, therapist, settings):
    bomb = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(bomb, "PNG")  # 100 MP in a few KB
    assert len(bomb.getvalue()) < 100_000
    response = upload(signed_in, bomb.getvalue(), name="bomb.png")
    assert response.status_code == 400 and "too many pixels" in response.content.decode()
    settings.PHOTO_MAX_BYTES = 1000
    response = upload(signed_in, camera_photo())
    assert response.status_code == 400 and "too large" in response.content.decode()
    therapist.refresh_from_db()
    assert therapist.photo.name == ""


def test_at_least_one_way_of_seeing_clients(signed_in, therapist):
    response = upload(signed_in, None, sees_in_person="", sees_by_video="")
    assert response.status_code == 400
    assert "in person or by video" in response.content.decode()


def test_the_photo_is_served_with_safe_headers_while_in_use(
    signed_in, client, therapist, media, django_capture_on_commit_callbacks
):
    upload(signed_in, camera_photo())
    therapist.refresh_from_db()
    first = therapist.photo.name
    response = client.get(therapist.photo.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "public" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    # Replaced: the old file is gone and its address answers 404.
    with django_capture_on_commit_callbacks(execute=True):
        upload(signed_in, camera_photo(orientation=1))
    therapist.refresh_from_db()
    assert therapist.photo.name != first and not default_storage.exists(first)
    assert client.get("/media/" + first).status_code == 404
    # Removed: the same.
    second = therapist.photo.name
    with django_capture_on_commit_callbacks(execute=True):
        upload(signed_in, None, remove_photo="on")
    assert client.get("/media/" + second).status_code == 404
    assert not default_storage.exists(second)
    for bad in ("/media/therapists/../../settings.py", "/media/therapists/x.jpg"):
        assert client.get(bad).status_code == 404


def test_the_owner_edits_any_therapists_profile_a_therapist_only_their_own(
    client, practice, therapist
):
    colleague = TherapistFactory(practice=practice, display_name="Jo Rivera")
    sign_in(client, make_staff(practice, StaffRole.THERAPIST, therapist=therapist))
    # A therapist asking for a colleague's profile gets (and saves) their own.
    client.post(
        f"/staff/profile/?therapist={colleague.pk}", {"bio": "Not mine", "sees_in_person": "on"}
    )
    colleague.refresh_from_db()
    assert colleague.bio == "" and Therapist.objects.get(pk=therapist.pk).bio == "Not mine"
    client.logout()
    sign_in(client, make_staff(practice, StaffRole.OWNER))
    page = client.get(f"/staff/profile/?therapist={colleague.pk}")
    assert "Profile: Jo Rivera" in page.content.decode()
    client.post(f"/staff/profile/?therapist={colleague.pk}", {"bio": "Jo's", "sees_by_video": "on"})
    colleague.refresh_from_db()
    assert (colleague.bio, colleague.modalities) == ("Jo's", ["Video"])
    client.logout()
    sign_in(client, make_staff(practice, StaffRole.RECEPTIONIST))
    assert client.get("/staff/profile/").status_code == 403


def test_the_booking_page_shows_each_therapist_with_any_therapist_the_default(
    signed_in, client, therapist, practice
):
    upload(signed_in, camera_photo())
    therapist.refresh_from_db()
    # Both kinds of session on offer, so each therapist's own statement decides.
    therapist.session_types.add(
        SessionTypeFactory(practice=practice, name="Video session", modality="telehealth")
    )
    TherapistFactory(
        practice=practice,
        offers=list(therapist.session_types.all()),
        display_name="Jo Rivera",
        sees_in_person=False,
        sees_by_video=True,
    )
    client.logout()
    text = client.get("/book/").content.decode()
    assert re.search(r'id="th-any" value="" checked', text)
    assert f'src="/media/{therapist.photo.name}"' in text
    assert "In person · Video · Speaks English, Spanish" in text
    assert "I work with adults on anxiety." in text
    jo = text[text.index("Jo Rivera") :]
    assert "Video" in jo and "In person" not in jo[: jo.index("</div>")]
