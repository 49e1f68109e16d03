"""The staff's "Share and embed" page: the booking links and what to paste on a website.

An owner (and the front desk) sees the practice's link and every therapist's and
session type's; a therapist their own. Each link comes as the plain address, a
"Book a session" button, a self-sizing frame and a popup (booking.web.embed).
The owner also sees which tags (``?ref=``) brought bookings in the last 90 days.
Staff pages are never framed (practice.embedding leaves them ``frame-ancestors 'none'``).
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from booking.models import SOURCE_REF
from booking.scheduling.selectors import SOURCE_REF_DAYS, source_ref_counts
from booking.web.embed import snippets
from practice.access import staff_required
from practice.embedding import embed_origins
from practice.models import SessionType, Therapist


def _therapist_links(therapist: Therapist) -> list[dict]:
    links = [
        {
            "title": f"{therapist.display_name}: any of their sessions",
            "path": reverse("booking:therapist-link", args=[therapist.slug]),
        }
    ]
    for session_type in therapist.session_types.filter(is_active=True).order_by("name"):
        links.append(
            {
                "title": f"{therapist.display_name}: {session_type.name}",
                "path": reverse(
                    "booking:therapist-type-link", args=[therapist.slug, session_type.slug]
                ),
            }
        )
    return links


def _practice_links(practice) -> list[dict]:
    links = [{"title": "Everything (choose a session and a therapist)", "path": "/book/"}]
    therapists = Therapist.objects.filter(practice=practice, is_active=True).exclude(slug="")
    for therapist in therapists.order_by("display_name"):
        links.append(
            {
                "title": therapist.display_name,
                "path": reverse("booking:therapist-link", args=[therapist.slug]),
            }
        )
    types = SessionType.objects.filter(practice=practice, is_active=True).exclude(slug="")
    for session_type in types.order_by("name"):
        links.append(
            {
                "title": f"{session_type.name}, any therapist",
                "path": reverse("booking:type-link", args=[session_type.slug]),
            }
        )
    return links


@never_cache
@staff_required
def share_page(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    practice = staff.practice
    wanted = (request.GET.get("ref") or "").strip()
    ref = wanted if SOURCE_REF.fullmatch(wanted) else ""
    links = _therapist_links(staff.therapist) if staff.is_therapist else _practice_links(practice)
    for n, link in enumerate(links):
        link["id"] = f"link-{n}"
        link["snippets"] = snippets(origin=settings.SITE_URL, path=link["path"], ref=ref)
    context = {
        "nav": "share",
        "links": links,
        "ref": ref,
        "ref_refused": bool(wanted) and not ref,
        "wanted_ref": wanted[:60],
        "origins": embed_origins(practice),
        "env_origins": settings.BOOKING_EMBED_ORIGINS,
        "is_owner": staff.is_owner,
    }
    if staff.is_owner:
        context["settings_url"] = reverse("admin:practice_practice_change", args=[practice.pk])
        context["ref_counts"] = source_ref_counts(practice=practice, now=timezone.now())
        context["ref_days"] = SOURCE_REF_DAYS
    return render(request, "staff/share.html", context, status=400 if wanted and not ref else 200)
