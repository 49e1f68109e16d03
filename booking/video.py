"""Video sessions' links, behind a small provider interface chosen per practice or therapist.

The practice picks a provider (``Practice.video_provider``), a therapist may pick
their own (``Therapist.video_provider``; blank: the practice's). Each key maps
to a class by its dotted path in the VIDEO_PROVIDERS setting, like SMS_BACKEND:

- ``NoVideo``: no link (the practice sends its own).
- ``JitsiProvider``: a self-hosted Jitsi Meet (JITSI_BASE_URL), a room per
  session named by ``Appointment.video_room`` (128 random bits, replaced when
  the session moves); with JITSI_JWT_APP_ID and JITSI_JWT_SECRET, a token
  (HS256) valid from when the room opens until an hour after the end.
- ``PersonalRoomProvider``: the therapist's fixed room (``Therapist.video_room_url``).

When: from ``JOIN_EARLY`` before the start until the end, for a confirmed
session only (``join_open``). A link is never logged, and never put in one
of our addresses: the client's Join goes through /book/manage/<token>/join/,
which answers with a redirect.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit

import jwt
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from booking.models import Appointment, AppointmentStatus
from practice.models import Modality, Therapist, VideoProvider

JOIN_EARLY = timedelta(minutes=10)
# A Jitsi token stays valid this long after the end, for a session that runs over.
TOKEN_GRACE = timedelta(hours=1)


def new_room() -> str:
    """A room name nobody can guess: 128 random bits."""
    return secrets.token_hex(16)


@dataclass(frozen=True)
class VideoSession:
    """What a provider needs to build one person's link to one session."""

    room: str
    start: datetime
    end: datetime
    therapist: Therapist
    # The therapist's own link (a Jitsi moderator); False: the client's.
    host: bool = False


class BaseProvider:
    # True: each session has its own room, so a moved session gets a new one.
    per_session_rooms = False

    def link(self, session: VideoSession) -> str:
        """The https address that joins ``session``; empty when there is none."""
        raise NotImplementedError


class NoVideo(BaseProvider):
    def link(self, session: VideoSession) -> str:
        return ""


class PersonalRoomProvider(BaseProvider):
    def link(self, session: VideoSession) -> str:
        return session.therapist.video_room_url


class JitsiProvider(BaseProvider):
    per_session_rooms = True

    def link(self, session: VideoSession) -> str:
        base = settings.JITSI_BASE_URL
        if not base or not session.room:
            return ""
        url = f"{base}/{quote(session.room)}"
        if settings.JITSI_JWT_APP_ID and settings.JITSI_JWT_SECRET:
            url += "?jwt=" + self.token(session)
        return url

    def token(self, session: VideoSession) -> str:
        """Jitsi's token auth: the same claims every time for one person and session (no
        ``iat``), so a calendar feed's event stays the same text."""
        claims = {
            "iss": settings.JITSI_JWT_APP_ID,
            "aud": settings.JITSI_JWT_AUDIENCE,
            "sub": settings.JITSI_JWT_SUBJECT or urlsplit(settings.JITSI_BASE_URL).hostname,
            "room": session.room,
            "nbf": int((session.start - JOIN_EARLY).timestamp()),
            "exp": int((session.end + TOKEN_GRACE).timestamp()),
            "moderator": session.host,
            "context": {
                "user": {
                    # The client types their own name in Jitsi: none of theirs goes in a URL.
                    "name": session.therapist.display_name if session.host else "",
                    "moderator": session.host,
                }
            },
        }
        return jwt.encode(claims, settings.JITSI_JWT_SECRET, algorithm="HS256")


# The link travels in a session's last email reminder, never in one sent further ahead
# than this; a session with no such reminder to come gets one of its own, due
# VIDEO_LINK_BEFORE the start (at once when that has passed): booking.notify.notifications.
VIDEO_LINK_LEAD = timedelta(hours=24)
VIDEO_LINK_BEFORE = timedelta(hours=1)


def provider_key(therapist: Therapist) -> str:
    return therapist.video_provider or therapist.practice.video_provider


def get_provider(key: str) -> BaseProvider:
    path = settings.VIDEO_PROVIDERS.get(key) or settings.VIDEO_PROVIDERS[VideoProvider.NONE]
    return import_string(path)()


def is_video(appointment: Appointment) -> bool:
    return appointment.session_type.modality == Modality.TELEHEALTH


def link_for(*, room: str, start, end, therapist: Therapist, host: bool = False) -> str:
    """A session's link from its parts (the calendar feeds read rows, not appointments)."""
    session = VideoSession(room=room, start=start, end=end, therapist=therapist, host=host)
    return get_provider(provider_key(therapist)).link(session)


def video_link(appointment: Appointment, *, host: bool = False) -> str:
    """The link of a confirmed video session, whatever the time; empty otherwise."""
    if not is_video(appointment) or appointment.status != AppointmentStatus.CONFIRMED:
        return ""
    return link_for(
        room=appointment.video_room,
        start=appointment.start,
        end=appointment.end,
        therapist=appointment.therapist,
        host=host,
    )


def join_opens_at(appointment: Appointment) -> datetime:
    return appointment.start - JOIN_EARLY


def join_open(appointment: Appointment, *, now: datetime | None = None) -> bool:
    """Whether Join is offered now: a confirmed video session, 10 minutes before until the end."""
    now = now or timezone.now()
    return (
        is_video(appointment)
        and appointment.status == AppointmentStatus.CONFIRMED
        and join_opens_at(appointment) <= now < appointment.end
    )


def join_url(appointment: Appointment, *, host: bool = False, now: datetime | None = None) -> str:
    """The link to offer now (a Join button): empty outside the window or without a provider."""
    if not join_open(appointment, now=now):
        return ""
    return video_link(appointment, host=host)
