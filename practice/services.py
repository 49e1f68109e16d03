"""Writes about the practice's own setup: slugs, therapists' profiles, the owner's settings."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from practice import licensing, photos
from practice.models import FormerSlug, Practice, Room, SessionType, SlugKind, Therapist


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


def therapist_profile_update(  # noqa: PLR0913 (the profile's fields, by name)
    *,
    therapist: Therapist,
    bio: str,
    languages: str,
    sees_in_person: bool,
    sees_by_video: bool,
    photo: bytes | None = None,
    remove_photo: bool = False,
) -> Therapist:
    """What clients read about a therapist when choosing: bio, languages, how they see
    clients, and a photo (``photo``: the uploaded bytes, re-encoded by practice.photos).

    A replaced or removed photo's file is deleted once the change is committed.
    """
    old = therapist.photo.name
    therapist.bio = bio.strip()
    therapist.languages = languages.strip()
    therapist.sees_in_person = sees_in_person
    therapist.sees_by_video = sees_by_video
    if photo is not None:
        data = photos.photo_normalise(photo)
        name = photos.photo_name(data)
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(data))
        therapist.photo.name = name
    elif remove_photo:
        therapist.photo.name = ""
    with transaction.atomic():
        therapist.save()
        if old and old != therapist.photo.name:
            transaction.on_commit(lambda: _photo_forget(old))
    return therapist


def therapist_telehealth_update(
    *,
    therapist: Therapist,
    video_provider: str,
    video_room_url: str,
    licence_jurisdictions: str,
    compact_jurisdictions: str,
) -> Therapist:
    """How a therapist sees clients by video: their link's provider (blank: the practice's),
    their own room, and where they may (practice/licensing.py), codes stored as one list."""
    therapist.video_provider = video_provider
    therapist.video_room_url = video_room_url.strip()
    therapist.licence_jurisdictions = " ".join(licensing.jurisdictions_parse(licence_jurisdictions))
    therapist.compact_jurisdictions = " ".join(licensing.jurisdictions_parse(compact_jurisdictions))
    therapist.full_clean()
    therapist.save(
        update_fields=[
            "video_provider",
            "video_room_url",
            "licence_jurisdictions",
            "compact_jurisdictions",
        ]
    )
    return therapist


def _photo_forget(name: str) -> None:
    """Delete a photo's file unless another therapist shows the same picture."""
    if not Therapist.objects.filter(photo=name).exists():
        default_storage.delete(name)


# What the owner's settings page may change (everything else stays with the admin).
SETTINGS_FIELDS = (
    "name",
    "contact_phone",
    "contact_email",
    "address",
    "time_zone",
    "clock",
    "min_notice",
    "booking_horizon",
    "late_cancel_window",
    "late_cancel_fee",
    "request_escalate_after",
    "reminder_schedule",
    "quiet_hours_start",
    "quiet_hours_end",
    "sms_names_practice",
    "therapists_add_clients",
    "embed_origins",
    "video_provider",
    "video_link_by_sms",
)


def practice_settings_update(*, practice: Practice, values: dict) -> list[str]:
    """Change the owner's settings; returns the names of the fields that changed.

    Validated by the model (``full_clean``) before anything is saved, so a bad
    value leaves the practice as it was.
    """
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"Not a setting: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        practice = Practice.objects.select_for_update().get(pk=practice.pk)
        changed = [name for name, value in values.items() if getattr(practice, name) != value]
        for name in changed:
            setattr(practice, name, values[name])
        if changed:
            practice.full_clean()
            practice.save(update_fields=changed)
    return sorted(changed)


# What the owner's settings page sets on a session type (notice, horizon, step and its own
# reminders stay with the admin).
SESSION_TYPE_FIELDS = (
    "name",
    "duration_minutes",
    "price",
    "buffer_before_minutes",
    "buffer_after_minutes",
    "modality",
    "requires_approval",
    "requires_intake",
    "is_active",
)


def session_type_save(
    *, practice: Practice, session_type: SessionType | None, values: dict, therapists
) -> tuple[SessionType, list[str]]:
    """Add a session type (``session_type=None``) or change one; returns it and the names of
    the fields that changed (``therapists``: who offers it).

    Never deleted here: one no longer offered is switched off (``is_active``), so
    sessions booked with it keep it. Validated by the model before it is saved.
    """
    unknown = set(values) - set(SESSION_TYPE_FIELDS)
    if unknown:
        raise ValueError(f"Not a session type setting: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        if session_type is None:
            session_type, changed = SessionType(practice=practice), list(values)
        else:
            session_type = SessionType.objects.select_for_update().get(
                pk=session_type.pk, practice=practice
            )
            changed = [n for n, v in values.items() if getattr(session_type, n) != v]
        for name, value in values.items():
            setattr(session_type, name, value)
        session_type.full_clean()
        session_type.save()
        offered_by = {t.pk for t in therapists if t.practice_id == practice.pk}
        if set(session_type.therapists.values_list("pk", flat=True)) != offered_by:
            session_type.therapists.set(offered_by)
            changed.append("therapists")
    return session_type, sorted(changed)


def room_add(*, practice: Practice, name: str) -> Room:
    """A new room, in use."""
    room = Room(practice=practice, name=name.strip())
    room.full_clean()
    room.save()
    return room


def room_update(*, room: Room, name: str, is_active: bool) -> list[str]:
    """Rename a room or switch it off (never deleted: booked sessions keep their room);
    returns the names of the fields that changed."""
    with transaction.atomic():
        room = Room.objects.select_for_update().get(pk=room.pk)
        values = {"name": name.strip(), "is_active": is_active}
        changed = sorted(n for n, v in values.items() if getattr(room, n) != v)
        for n in changed:
            setattr(room, n, values[n])
        if changed:
            room.full_clean()
            room.save(update_fields=changed)
    return changed
