"""Reads for the practice domain."""

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from practice.models import FormerSlug, Practice, SessionType, SlugKind, Therapist


def practices_current() -> QuerySet[Practice]:
    """The practice this deployment serves as the first row of a queryset: PRACTICE_SLUG,
    else the first one created. For a read that finds it inside another query.

    One place to change when one deployment serves several practices (by host).
    """
    practices = Practice.objects.order_by("pk")
    if settings.PRACTICE_SLUG:
        practices = practices.filter(slug=settings.PRACTICE_SLUG)
    return practices


def practice_current() -> Practice | None:
    """The practice this deployment serves (``practices_current``)."""
    return practices_current().first()


def therapist_list_bookable(*, practice: Practice) -> QuerySet[Therapist]:
    active_types = SessionType.objects.filter(is_active=True).only("pk")
    return (
        Therapist.objects.filter(practice=practice, is_active=True)
        .prefetch_related(Prefetch("session_types", queryset=active_types))
        .order_by("display_name")
    )


def session_type_list_bookable(*, practice: Practice) -> QuerySet[SessionType]:
    active_therapists = Therapist.objects.filter(is_active=True).only("pk")
    return (
        SessionType.objects.filter(practice=practice, is_active=True)
        .prefetch_related(Prefetch("therapists", queryset=active_therapists))
        .order_by("duration_minutes", "name")
    )


def booking_link_target(*, practice: Practice, kind: str, slug: str):
    """The active therapist or session type a booking link's slug names, and whether the
    slug is a former one (its link then redirects): ``(row, moved)``, or ``(None, False)``."""
    model = SessionType if kind == SlugKind.SESSION_TYPE else Therapist
    active = model.objects.filter(practice=practice, is_active=True)
    found = active.filter(slug=slug).first()
    if found is not None:
        return found, False
    former = FormerSlug.objects.filter(practice=practice, kind=kind, slug=slug).first()
    if former is None:
        return None, False
    pk = former.session_type_id if kind == SlugKind.SESSION_TYPE else former.therapist_id
    found = active.filter(pk=pk).exclude(slug="").first()
    return found, found is not None
