"""The staff API for schedules (/api/v1/staff/): sessions, availability, standing series.

Role-scoped through practice.access like the staff pages; every write goes
through the same services (so the same no-overlap and DST guarantees hold).
Session authentication for the pages, token authentication for integrations
(owners issue tokens on /staff/api-tokens/).
"""

from datetime import time

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from booking.access import (
    appointment_or_404,
    appointments_visible,
    extra_hours_to_change,
    series_or_404,
    time_off_to_change,
)
from booking.api.apis import BAD_REQUEST, CONFLICT
from booking.api.serializers import AwareDateTimeField
from booking.exceptions import InThePast, SessionsNear
from booking.models import (
    UNDO_WINDOW,
    Appointment,
    AppointmentStatus,
    ExtraHours,
    Series,
    TimeOff,
)
from booking.scheduling import availability, services
from booking.scheduling import series as series_services
from booking.scheduling.selectors import NEAR_DAYS, client_sessions_near
from booking.scheduling.services import OUTCOMES, Actor
from clients.access import client_or_404
from clients.audit import audit
from clients.models import AuditAction
from practice import dbfaults, licensing
from practice.access import can_run_practice_calendar, therapists_manageable
from practice.api import FORBIDDEN, NO_PAGE, DateField, Pages, StaffApi, int_param
from practice.api import ErrorSerializer as StaffError
from practice.models import Room, SessionType
from practice.parsing import int_or_none

NOT_FOUND = OpenApiResponse(StaffError, description="No such item (visible to you).")
SESSIONS_INSIDE = OpenApiResponse(
    inline_serializer(
        "SessionsInsideTimeOff",
        {
            "detail": serializers.CharField(),
            "code": serializers.CharField(),
            "sessions": serializers.ListField(child=serializers.UUIDField()),
        },
    ),
    description="Sessions still to come fall inside the time off: say keep, move or cancel "
    "for each (their ids in sessions); nothing was saved.",
)
SESSIONS_NEAR = OpenApiResponse(
    inline_serializer(
        "SessionsNear",
        {
            "detail": serializers.CharField(),
            "code": serializers.CharField(),
            # Only with code sessions_near; other conflicts carry detail and code alone.
            "sessions": serializers.ListField(
                required=False,
                child=inline_serializer(
                    "SessionNear",
                    {
                        "id": serializers.UUIDField(),
                        "start": serializers.DateTimeField(),
                        "status": serializers.CharField(),
                    },
                ),
            ),
        },
    ),
    description="The time is taken or not offered (code slot_unavailable and others), has "
    "passed (code in_the_past: send past_ok: true to record a session that took place), or "
    f"(code sessions_near) the client already has a session that day or in the next {NEAR_DAYS} "
    "days: those are listed; send near_ok: true to book anyway. Nothing was booked.",
)


def _parse(name: str, field: serializers.Field, value):
    """One value through a serializer field; an error is keyed by its name, like a form's."""
    try:
        return field.run_validation(value)
    except serializers.ValidationError as exc:
        raise serializers.ValidationError({name: exc.detail}) from None


def _session_type(request, pk) -> SessionType:
    session_type = SessionType.objects.filter(practice=request.staff.practice, pk=pk).first()
    if session_type is None:
        raise serializers.ValidationError({"session_type": "No such session type."})
    return session_type


def _client(request, public_id):
    try:
        return client_or_404(request.staff, public_id, request=request)
    except Http404:
        raise serializers.ValidationError({"client": "No such client (visible to you)."}) from None


def _therapist(request, value):
    therapist = therapists_manageable(request.staff).filter(pk=value).first()
    if therapist is None:
        raise serializers.ValidationError({"therapist": "No such therapist (that you manage)."})
    return therapist


# --- Sessions -----------------------------------------------------------------------------


class StaffAppointmentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    client = serializers.UUIDField(source="client.public_id", read_only=True)
    client_name = serializers.CharField(source="client.display_name", read_only=True)
    series = serializers.UUIDField(source="series.public_id", read_only=True, allow_null=True)
    cancel_reason_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="The staff user who entered cancel_reason; null: the client's own words.",
    )
    licence_override_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Who booked this video session although the therapist is not licensed in "
        "client_region (with licence_override_reason).",
    )

    class Meta:
        model = Appointment
        fields = [
            "id",
            "therapist",
            "session_type",
            "room",
            "client",
            "client_name",
            "start",
            "end",
            "status",
            "awaiting_intake",
            "sequence",
            "series",
            "occurrence_date",
            "cancelled_at",
            "cancel_reason",
            "cancel_reason_by",
            "client_region",
            "licence_override_reason",
            "licence_override_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AppointmentCreateSerializer(serializers.Serializer):
    therapist = serializers.IntegerField()
    session_type = serializers.IntegerField()
    client = serializers.UUIDField()
    start = AwareDateTimeField()
    room = serializers.IntegerField(required=False, allow_null=True)
    override_hours = serializers.BooleanField(
        default=False, help_text="Outside hours, notice or horizon (never over another session)."
    )
    near_ok = serializers.BooleanField(
        default=False,
        help_text="Book even though the client already has a session that day or in the next "
        f"{NEAR_DAYS} days. Without it such a booking is answered 409 (code sessions_near) "
        "listing those sessions, and nothing is booked.",
    )
    past_ok = serializers.BooleanField(
        default=False,
        help_text="The start has passed and this is a record of a session that took place: "
        "booked as confirmed, outside hours if need be, and the client is sent nothing. Without "
        "it a start in the past is answered 409 (code in_the_past) and nothing is booked.",
    )
    client_region = serializers.ChoiceField(
        choices=sorted(licensing.REGIONS),
        required=False,
        allow_blank=True,
        default="",
        help_text="Video sessions: where the client will be (ISO 3166-2, e.g. US-NY). Blank: "
        "the likely region of the client's time zone.",
    )
    licence_override_reason = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text="Book a video session although the therapist is not licensed in "
        "client_region (otherwise 409, code not_licensed): why, kept with your name.",
    )


class RescheduleSerializer(serializers.Serializer):
    start = AwareDateTimeField()
    override_hours = serializers.BooleanField(default=False)
    notify = serializers.BooleanField(
        default=True,
        help_text="Tell the client (default). False: you told them; no message is scheduled.",
    )


class CancelSerializer(serializers.Serializer):
    late = serializers.BooleanField(default=False)
    reason = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text='Optional, e.g. "Client phoned: unwell"; shown as entered by you.',
    )
    notify = serializers.BooleanField(
        default=True,
        help_text="Tell the client (default). False: you told them; no message is scheduled.",
    )


# Before booking 0022 "attended" was stored and sent as "completed": still read as a synonym.
LEGACY_STATUSES = {"completed": AppointmentStatus.ATTENDED}


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[(o.value, o.label) for o in OUTCOMES] + [("completed", "Attended (old name)")],
        help_text='"attended", "no_show" or "late_cancelled" ("completed", the old name of '
        '"attended", is still read as it).',
    )

    def validate_outcome(self, value):
        return LEGACY_STATUSES.get(value, value)


STATUSES = AppointmentStatus.values


def _status(value: str) -> str:
    value = LEGACY_STATUSES.get(value, value)
    if value not in STATUSES:
        raise serializers.ValidationError(
            {
                "status": [
                    f"Not a status: “{value[:40]}”. One of: {', '.join(AppointmentStatus.values)}."
                ]
            }
        )
    return value


def _visible_appointments(request):
    return appointments_visible(request.staff).select_related(
        "client", "series", "cancel_reason_by"
    )


class StaffAppointmentListApi(StaffApi, generics.GenericAPIView):
    pagination_class = Pages
    serializer_class = StaffAppointmentSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("therapist", int),
            OpenApiParameter(
                "start", OpenApiTypes.DATE, description="From this date (YYYY-MM-DD, UTC)."
            ),
            OpenApiParameter(
                "end", OpenApiTypes.DATE, description="Before the end of this date (UTC)."
            ),
            OpenApiParameter("status", str, enum=AppointmentStatus.values),
        ],
        responses={
            200: StaffAppointmentSerializer(many=True),
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NO_PAGE,
        },
    )
    def get(self, request: Request) -> Response:
        appointments = _visible_appointments(request).exclude(status=AppointmentStatus.HELD)
        params = request.query_params
        if (therapist_id := int_param(params, "therapist", what="a therapist's id")) is not None:
            appointments = appointments.filter(therapist_id=therapist_id)
        for name, lookup in (("start", "start__date__gte"), ("end", "start__date__lte")):
            if params.get(name):
                day = _parse(name, DateField(), params[name])
                appointments = appointments.filter(**{lookup: day})
        if "status" in params:
            appointments = appointments.filter(status=_status(params["status"]))
        page = self.paginate_queryset(appointments.order_by("start"))
        return self.get_paginated_response(StaffAppointmentSerializer(page, many=True).data)

    @extend_schema(
        request=AppointmentCreateSerializer,
        responses={
            201: StaffAppointmentSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            409: SESSIONS_NEAR,
        },
    )
    def post(self, request: Request) -> Response:
        data = AppointmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        therapist = _therapist(request, values["therapist"])
        session_type = _session_type(request, values["session_type"])
        room = None
        if values.get("room"):
            room = Room.objects.filter(practice=request.staff.practice, pk=values["room"]).first()
            if room is None:
                raise serializers.ValidationError({"room": "No such room."})
        client = _client(request, values["client"])
        past = values["start"] < timezone.now()
        if past and not values["past_ok"]:
            raise InThePast()
        if not values["near_ok"]:
            _warn_if_near(client, values["start"], therapist)
        appointment = services.appointment_book(
            therapist=therapist,
            session_type=session_type,
            client=client,
            start=values["start"],
            room=room,
            # A time that has passed is outside notice by nature: recorded, not offered.
            enforce_availability=not (values["override_hours"] or past),
            by_staff=True,
            by=request.user,
            client_region=values["client_region"],
            licence_override_reason=values["licence_override_reason"],
        )
        if appointment.licence_override_reason:
            # Booked outside the therapist's licences: in the audit trail as well as the log.
            audit(
                request,
                action=AuditAction.CREATE,
                what="licence_override",
                client=client,
                fields=["client_region", "licence_override_reason"],
                via="api",
            )
        return Response(
            StaffAppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED
        )


def _warn_if_near(client, start, therapist) -> None:
    """The staff page's "already has a session" warning, as a 409 the caller confirms."""
    near = client_sessions_near(client=client, start=start, zone=therapist.zone, now=timezone.now())
    if near:
        raise SessionsNear(near, days=NEAR_DAYS)


def _changed(appointment: Appointment) -> Response:
    """The answer to a change that landed: it says so even if the connection drops now."""
    data = dbfaults.retry_on_fresh_connection(
        lambda: StaffAppointmentSerializer(appointment).data, what="a change's answer"
    )
    return Response(data)


class StaffAppointmentApi(StaffApi):
    def appointment(self, public_id) -> Appointment:
        return appointment_or_404(self.request.staff, public_id)

    @extend_schema(responses={200: StaffAppointmentSerializer, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request: Request, public_id) -> Response:
        return Response(StaffAppointmentSerializer(self.appointment(public_id)).data)

    @extend_schema(
        request=RescheduleSerializer,
        responses={
            200: StaffAppointmentSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
        description="Move a session. Without override_hours the new start must be free "
        "in the therapist's hours; with it, only the no-overlap rule applies.",
    )
    def patch(self, request: Request, public_id) -> Response:
        appointment = self.appointment(public_id)
        data = RescheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        moved = services.appointment_reschedule(
            appointment=appointment,
            start=data.validated_data["start"],
            actor=Actor.STAFF,
            enforce_availability=not data.validated_data["override_hours"],
            notify=data.validated_data["notify"],
            undoable=True,
            by=request.user,
        )
        return _changed(moved)


class _AppointmentActionApi(StaffApi):
    """One action on one visible session; each action is its own view with its own input."""

    responses = {
        200: StaffAppointmentSerializer,
        400: BAD_REQUEST,
        403: FORBIDDEN,
        404: NOT_FOUND,
        409: CONFLICT,
    }

    def appointment(self, public_id) -> Appointment:
        return appointment_or_404(self.request.staff, public_id)

    @staticmethod
    def input(serializer_class, request) -> dict:
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data


class StaffAppointmentApproveApi(_AppointmentActionApi):
    @extend_schema(
        request=None,
        responses=_AppointmentActionApi.responses,
        description="Approve a request: the client is told.",
    )
    def post(self, request: Request, public_id) -> Response:
        approved = services.appointment_approve(
            appointment=self.appointment(public_id), by=request.user
        )
        return _changed(approved)


class StaffAppointmentDeclineApi(_AppointmentActionApi):
    @extend_schema(
        request=None,
        responses=_AppointmentActionApi.responses,
        description="Decline a request: the time is free again and the client is told.",
    )
    def post(self, request: Request, public_id) -> Response:
        declined = services.appointment_decline(
            appointment=self.appointment(public_id), by=request.user
        )
        return _changed(declined)


class StaffAppointmentCancelApi(_AppointmentActionApi):
    @extend_schema(
        request=CancelSerializer,
        responses=_AppointmentActionApi.responses,
        description="Cancel a session (late: counted as a late cancellation; reason: optional, "
        "shown as entered by staff; notify: false when you told the client yourself).",
    )
    def post(self, request: Request, public_id) -> Response:
        appointment = self.appointment(public_id)
        values = self.input(CancelSerializer, request)
        cancelled = services.appointment_cancel(
            appointment=appointment,
            actor=Actor.STAFF,
            late=values["late"],
            reason=values["reason"],
            by=request.user,
            notify=values["notify"],
            undoable=True,
        )
        return _changed(cancelled)


class StaffAppointmentUndoApi(_AppointmentActionApi):
    @extend_schema(
        request=None,
        responses=_AppointmentActionApi.responses,
        description=f"Undo the session's latest change, a cancel or move made by staff, within "
        f"{UNDO_WINDOW.seconds} seconds (before the client's message about it goes out): it "
        "is put back if its time is still free, and the client is sent nothing. After that, or "
        "if the time was taken meanwhile, 409 says so.",
    )
    def post(self, request: Request, public_id) -> Response:
        undone = services.appointment_undo(appointment=self.appointment(public_id), by=request.user)
        return _changed(undone)


class StaffAppointmentOutcomeApi(_AppointmentActionApi):
    @extend_schema(
        request=OutcomeSerializer,
        responses=_AppointmentActionApi.responses,
        description="Record how a session that has started went (a correction is allowed).",
    )
    def post(self, request: Request, public_id) -> Response:
        appointment = self.appointment(public_id)
        values = self.input(OutcomeSerializer, request)
        recorded = services.appointment_record_outcome(
            appointment=appointment, outcome=values["outcome"], by=request.user
        )
        return Response(StaffAppointmentSerializer(recorded).data)


# --- Availability -------------------------------------------------------------------------


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
        "example": "09:30",
        "description": "Wall-clock time in the therapist's zone (no offset).",
    }
)
class WallTimeField(serializers.TimeField):
    """A time of day on the therapist's wall clock: "HH:MM" out, "HH:MM[:SS]" in.

    Not the schema's ``format: time`` (RFC 3339 times carry an offset; these
    are read in the therapist's zone on each date, DST included).
    """

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"], **kwargs)


class TimeOffSerializer(serializers.ModelSerializer):
    therapist = serializers.IntegerField(source="therapist_id", allow_null=True, required=False)
    start_time = WallTimeField(required=False, allow_null=True)
    end_time = WallTimeField(required=False, allow_null=True)
    sessions = serializers.DictField(
        child=serializers.ChoiceField(choices=["keep", "move", "cancel"]),
        write_only=True,
        required=False,
        help_text="For each session inside the time off (its id as the key): keep, move "
        "(to its time in moves, or kept for now: move it with PATCH on the appointment) or "
        "cancel (the client is told). Without a choice for each, the answer is a 409 listing "
        "them.",
    )
    moves = serializers.DictField(
        child=AwareDateTimeField(),
        write_only=True,
        required=False,
        help_text="For a session to move (its id as the key): its new start, booked together "
        "with the time off. If that time is not free (taken, or inside the time off), the "
        "answer is a 409 (code slot_unavailable) naming the session, and nothing is saved.",
    )
    notify = serializers.BooleanField(
        write_only=True,
        default=True,
        help_text="Tell the clients of the sessions moved (default). False: no message.",
    )

    class Meta:
        model = TimeOff
        fields = [
            "id",
            "therapist",
            "start_date",
            "start_time",
            "end_date",
            "end_time",
            "reason",
            "repeats_yearly",
            "sessions",
            "moves",
            "notify",
        ]
        read_only_fields = ["id"]


class ExtraHoursSerializer(serializers.ModelSerializer):
    therapist = serializers.IntegerField(source="therapist_id")
    start_time = WallTimeField()
    end_time = WallTimeField()

    class Meta:
        model = ExtraHours
        fields = ["id", "therapist", "date", "start_time", "end_time"]
        read_only_fields = ["id"]


class WeeklySerializer(serializers.Serializer):
    therapist = serializers.IntegerField()
    weekly = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Weekday (0 = Monday) to intervals, e.g. {"0": ["09:00-12:00", "13:00-17:00"]}.',
    )


class AvailabilitySerializer(serializers.Serializer):
    therapist = serializers.IntegerField()
    time_zone = serializers.CharField()
    weekly = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    extra_hours = ExtraHoursSerializer(many=True)
    time_off = TimeOffSerializer(many=True)


def _availability(therapist) -> dict:
    weekly = availability.weekly_hours_get(therapist)
    data = {
        "therapist": therapist.pk,
        "time_zone": therapist.time_zone,
        "weekly": {
            str(day): [f"{s:%H:%M}-{e:%H:%M}" for s, e in intervals]
            for day, intervals in weekly.items()
        },
        "extra_hours": ExtraHours.objects.filter(therapist=therapist).order_by("date"),
        "time_off": TimeOff.objects.filter(practice=therapist.practice)
        .filter(Q(therapist=therapist) | Q(therapist__isnull=True))
        .order_by("start_date"),
    }
    return AvailabilitySerializer(data).data


class AvailabilityApi(StaffApi):
    @extend_schema(
        parameters=[OpenApiParameter("therapist", int, required=True)],
        responses={200: AvailabilitySerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def get(self, request: Request) -> Response:
        value = request.query_params.get("therapist", "")
        if int_or_none(value) is None:
            raise serializers.ValidationError({"therapist": "Give a therapist id."})
        return Response(_availability(_therapist(request, int_or_none(value))))

    @extend_schema(
        request=WeeklySerializer,
        responses={200: AvailabilitySerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
        description="Replace the therapist's weekly hours (missing weekdays: not working).",
    )
    def put(self, request: Request) -> Response:
        data = WeeklySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        therapist = _therapist(request, data.validated_data["therapist"])
        weekly, errors = {day: [] for day in range(7)}, {}
        for key, intervals in data.validated_data["weekly"].items():
            if key not in {str(d) for d in range(7)}:
                errors[key] = ["Weekdays are 0 (Monday) to 6 (Sunday)."]
                continue
            try:
                weekly[int(key)] = availability.parse_intervals(", ".join(intervals))
            except DjangoValidationError as exc:
                errors[key] = exc.messages
        if errors:
            raise serializers.ValidationError({"weekly": errors})
        availability.weekly_hours_replace(therapist=therapist, weekly=weekly)
        return Response(_availability(therapist))


class TimeOffListApi(StaffApi):
    @extend_schema(
        request=TimeOffSerializer,
        responses={201: TimeOffSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 409: SESSIONS_INSIDE},
        description="therapist null: a practice-wide holiday (front desk and owners only). "
        "Sessions still to come inside it need a decision each (sessions); otherwise 409 "
        '(code "sessions_inside_time_off", their ids in "sessions") and nothing is saved.',
    )
    def post(self, request: Request) -> Response:
        data = TimeOffSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        therapist_id = values.pop("therapist_id", None)
        if therapist_id is None:
            if not can_run_practice_calendar(request.staff):
                raise serializers.ValidationError(
                    {"therapist": "Only the front desk and owners set practice holidays."}
                )
            therapist = None
        else:
            therapist = _therapist(request, therapist_id)
        on_sessions = values.pop("sessions", None)
        moves = values.pop("moves", None)
        off = availability.time_off_add(
            practice=request.staff.practice,
            therapist=therapist,
            on_sessions=on_sessions,
            moves=moves,
            by=request.user,
            **values,
        )
        return Response(TimeOffSerializer(off).data, status=status.HTTP_201_CREATED)


class TimeOffApi(StaffApi):
    @extend_schema(responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND})
    def delete(self, request: Request, pk: str) -> Response:
        availability.time_off_delete(time_off=time_off_to_change(request.staff, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExtraHoursListApi(StaffApi):
    @extend_schema(
        request=ExtraHoursSerializer,
        responses={201: ExtraHoursSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        data = ExtraHoursSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        therapist = _therapist(request, values["therapist_id"])
        extra = availability.extra_hours_add(
            therapist=therapist,
            on=values["date"],
            start=values["start_time"],
            end=values["end_time"],
        )
        return Response(ExtraHoursSerializer(extra).data, status=status.HTTP_201_CREATED)


class ExtraHoursApi(StaffApi):
    @extend_schema(responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND})
    def delete(self, request: Request, pk: str) -> Response:
        availability.extra_hours_delete(extra_hours=extra_hours_to_change(request.staff, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Standing series -----------------------------------------------------------------------


class SeriesRequestSerializer(serializers.Serializer):
    therapist = serializers.IntegerField()
    session_type = serializers.IntegerField()
    client = serializers.UUIDField()
    first_date = DateField()
    local_time = WallTimeField(help_text="In the therapist's zone, e.g. 10:00.")
    interval_weeks = serializers.ChoiceField(choices=[1, 2])
    count = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=104)
    until = DateField(required=False, allow_null=True)
    decisions = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        help_text='Per clashing date (YYYY-MM-DD): "skip", "keep", or a new start with '
        "its UTC offset (moved).",
    )


class OccurrenceSerializer(serializers.Serializer):
    date = serializers.DateField()
    start = serializers.DateTimeField(allow_null=True)
    conflict = serializers.CharField()
    conflict_text = serializers.CharField()


class SeriesSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    local_time = WallTimeField(read_only=True)
    client = serializers.UUIDField(source="client.public_id", read_only=True)
    appointments = StaffAppointmentSerializer(many=True, read_only=True)

    class Meta:
        model = Series
        fields = [
            "id",
            "therapist",
            "session_type",
            "client",
            "first_date",
            "local_time",
            "interval_weeks",
            "count",
            "until",
            "ended_on",
            "appointments",
        ]
        read_only_fields = fields


def _series_args(request) -> tuple[dict, dict, object]:
    data = SeriesRequestSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    values = data.validated_data
    therapist = _therapist(request, values["therapist"])
    session_type = _session_type(request, values["session_type"])
    client = _client(request, values["client"])
    local = values["local_time"]
    args = {
        "therapist": therapist,
        "session_type": session_type,
        "first_date": values["first_date"],
        "local_time": time(local.hour, local.minute),
        "interval_weeks": int(values["interval_weeks"]),
        "count": values.get("count"),
        "until": values.get("until"),
    }
    decisions = {}
    for key, value in (values.get("decisions") or {}).items():
        day = _parse("decisions", DateField(), key)
        if value in ("skip", "keep"):
            decisions[day] = value
        else:
            decisions[day] = _parse("decisions", AwareDateTimeField(), value)
    return args, decisions, client


class SeriesPlanApi(StaffApi):
    @extend_schema(
        request=SeriesRequestSerializer,
        responses={200: OccurrenceSerializer(many=True), 400: BAD_REQUEST, 403: FORBIDDEN},
        description="The dates a series would have, each with what it clashes with.",
    )
    def post(self, request: Request) -> Response:
        args, _, _ = _series_args(request)
        plan = series_services.series_plan(**args)
        return Response(OccurrenceSerializer(plan, many=True).data)


class SeriesListApi(StaffApi):
    @extend_schema(
        request=SeriesRequestSerializer,
        responses={201: SeriesSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 409: CONFLICT},
        description="Create the series; every clashing date needs a decision.",
    )
    def post(self, request: Request) -> Response:
        args, decisions, client = _series_args(request)
        created = series_services.series_create(
            client=client, decisions=decisions, by=request.user, **args
        )
        return Response(SeriesSerializer(created).data, status=status.HTTP_201_CREATED)


class EndSeriesSerializer(serializers.Serializer):
    from_date = DateField()


class SeriesApi(StaffApi):
    def series(self, public_id) -> Series:
        return series_or_404(self.request.staff, public_id)

    @extend_schema(responses={200: SeriesSerializer, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request: Request, public_id) -> Response:
        return Response(SeriesSerializer(self.series(public_id)).data)


class SeriesEndApi(SeriesApi):
    @extend_schema(
        request=EndSeriesSerializer,
        responses={200: SeriesSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
        description="Cancel every occurrence from this date on (the client is told).",
    )
    def post(self, request: Request, public_id) -> Response:
        series = self.series(public_id)
        data = EndSeriesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        series_services.series_end(
            series=series, from_date=data.validated_data["from_date"], by=request.user
        )
        return Response(SeriesSerializer(self.series(public_id)).data)
