"""Writes about the practice's own setup that carry a rule beyond a plain save."""

from django.db import transaction

from practice.models import FormerSlug, SessionType, SlugKind, Therapist


@transaction.atomic
def slug_remember(*, obj: Therapist | SessionType, old: str) -> None:
    """Keep ``old`` (the slug ``obj`` had) leading to ``obj``: its links answer with a 301.

    Its current slug stops being a former one (a slug given back to the same
    or another row is that row's again).
    """
    kind = SlugKind.SESSION_TYPE if isinstance(obj, SessionType) else SlugKind.THERAPIST
    FormerSlug.objects.filter(practice_id=obj.practice_id, kind=kind, slug=obj.slug).delete()
    if not old or old == obj.slug:
        return
    FormerSlug.objects.update_or_create(
        practice_id=obj.practice_id,
        kind=kind,
        slug=old,
        defaults={
            "therapist": None if kind == SlugKind.SESSION_TYPE else obj,
            "session_type": obj if kind == SlugKind.SESSION_TYPE else None,
        },
    )
