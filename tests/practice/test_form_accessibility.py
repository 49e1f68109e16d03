"""Every input's aria-describedby names paragraphs that exist (seen: staff forms pointed at
ids nothing had), and a reload of the token page makes no second token."""

import re

import pytest

from practice.models import ApiToken, StaffRole
from tests.support.staff import make_staff, sign_in

DESCRIBED = re.compile(r'aria-describedby="([^"]+)"')


def assert_described_ids_exist(html: str) -> int:
    count = 0
    for value in DESCRIBED.findall(html):
        for target in value.split():
            assert f'id="{target}"' in html, target
            count += 1
    return count


@pytest.mark.parametrize(
    "path",
    ["/staff/password/", "/staff/api-tokens/", "/staff/clients/new/"],
)
def test_help_and_errors_are_tied_to_their_inputs_on_staff_forms(client, practice, path):
    sign_in(client, make_staff(practice, StaffRole.OWNER))
    page = client.get(path)
    assert_described_ids_exist(page.content.decode())
    posted = client.post(path, {})
    assert_described_ids_exist(posted.content.decode())


def test_sign_in_and_reset_forms_tie_their_texts(client, practice):
    assert assert_described_ids_exist(client.get("/staff/login/").content.decode()) >= 1
    assert_described_ids_exist(client.post("/staff/password-reset/", {}).content.decode())


def test_reloading_the_answer_that_showed_a_token_makes_no_second_one(client, practice):
    owner = make_staff(practice, StaffRole.OWNER)
    sign_in(client, owner)
    page = client.get("/staff/api-tokens/").content.decode()
    once = re.search(r'name="form_once" value="([^"]+)"', page).group(1)
    form = {"name": "Billing export", "user": owner.pk, "days_valid": 30, "form_once": once}
    first = client.post("/staff/api-tokens/", form)
    assert first.status_code == 200 and "ptk_" in first.content.decode()
    again = client.post("/staff/api-tokens/", form)  # the browser's "reload"
    assert again.status_code == 302
    assert ApiToken.objects.filter(name="Billing export").count() == 1


def test_a_signed_in_role_without_access_is_told_so_not_asked_to_sign_in(client, practice):
    sign_in(client, make_staff(practice, StaffRole.RECEPTIONIST))
    answer = client.get("/api/v1/staff/audit/")
    assert answer.status_code == 403
    assert answer.json()["detail"] == "Your role does not give access to this endpoint."
    client.logout()
    assert "role" not in client.get("/api/v1/staff/audit/").json()["detail"]


def test_every_sideways_scrolling_table_is_a_labelled_region_a_keyboard_can_reach():
    """At 375 px a wide table scrolls inside its .table-wrap; axe's scrollable-region-focusable
    asks that the keyboard can reach it. Seen: eleven staff tables without it."""
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "templates"
    wraps = []
    for path in templates.rglob("*.html"):
        for tag in re.findall(r'<div class="table-wrap"[^>]*>', path.read_text()):
            wraps.append(tag)
            assert 'role="region"' in tag and 'tabindex="0"' in tag, (path.name, tag)
            assert "aria-label=" in tag or "aria-labelledby=" in tag, (path.name, tag)
    assert len(wraps) >= 14
