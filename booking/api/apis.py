"""The public booking API (/api/v1/): one view per operation, thin around the services."""

from datetime import datetime, time, timedelta

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.api import slot_replies
from booking.api.serializers import AwareDateTimeField, PhoneField, TimeZoneField, isoformat_in
from booking.models import Appointment
from booking.scheduling import policy, selectors, services, slot_cache
from practice import dbfaults, licensing
from practice.api import DateField
from practice.models import Modality, Practice, SessionType, Therapist
from practice.phones import can_take_texts
from practice.ratelimit import RateThrottle
from practice.selectors import practice_current, session_type_list_bookable, therapist_list_bookable
from practice.timezones import get_zone

MAX_SLOT_RANGE_DAYS = 92

ErrorSerializer = inline_serializer(
    "Error",
    {
        "detail": serializers.CharField(),
        "code": serializers.CharField(required=False),
        "errors": serializers.DictField(required=False),
    },
)
BAD_REQUEST = OpenApiResponse(ErrorSerializer, description="Invalid input; see errors.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Unknown or invalid link.")
CONFLICT = OpenApiResponse(
    ErrorSerializer, description="Time taken or not offered, or the policy forbids it."
)
TOO_MANY = OpenApiResponse(ErrorSerializer, description="Too many requests; see Retry-After.")
UNAVAILABLE = OpenApiResponse(
    ErrorSerializer,
    description="The database could not be reached; nothing was booked. Try again after "
    "Retry-After seconds.",
)


class PublicApi(APIView):
    """Base for the public endpoints: no login, no session (so no CSRF), one practice."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [RateThrottle]
    throttle_scope = "slots"

    def practice(self) -> Practice:
        practice = practice_current()
        if practice is None:
            raise Http404("No practice is set up yet.")
        return practice


class TherapistListApi(PublicApi):
    class TherapistSerializer(serializers.ModelSerializer):
        session_types = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

        class Meta:
            model = Therapist
            fields = ["id", "display_name", "bio", "time_zone", "session_types"]

    @extend_schema(responses={200: TherapistSerializer(many=True), 429: TOO_MANY})
    def get(self, request: Request) -> Response:
        therapists = therapist_list_bookable(practice=self.practice())
        return Response(self.TherapistSerializer(therapists, many=True).data)


class SessionTypeListApi(PublicApi):
    class SessionTypeSerializer(serializers.ModelSerializer):
        therapists = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

        class Meta:
            model = SessionType
            fields = [
                "id",
                "name",
                "duration_minutes",
                "price",
                "modality",
                "requires_approval",
                "therapists",
            ]

    @extend_schema(responses={200: SessionTypeSerializer(many=True), 429: TOO_MANY})
    def get(self, request: Request) -> Response:
        session_types = session_type_list_bookable(practice=self.practice())
        return Response(self.SessionTypeSerializer(session_types, many=True).data)


def _id_field(what: str) -> serializers.IntegerField:
    """A therapist's or session type's id, resolved in the serializer's validate()."""
    return serializers.IntegerField(
        help_text=f"The {what}'s id.",
        error_messages={"invalid": f"Give the {what}'s id, a number."},
    )


def _therapist_field() -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=Therapist.objects.filter(is_active=True).select_related("practice"),
        error_messages={
            "does_not_exist": "No therapist with id {pk_value} takes bookings here.",
            "incorrect_type": "Give the therapist's id, a number.",
        },
    )


def _session_type_field() -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=SessionType.objects.filter(is_active=True).select_related("practice"),
        error_messages={
            "does_not_exist": "No session type with id {pk_value} can be booked here.",
            "incorrect_type": "Give the session type's id, a number.",
        },
    )


def _validate_pair(practice: Practice, attrs: dict) -> None:
    therapist, session_type = attrs["therapist"], attrs["session_type"]
    if therapist.practice_id != practice.pk:
        raise serializers.ValidationError(
            {"therapist": ["This therapist is not at this practice."]}
        )
    if session_type.practice_id != practice.pk:
        raise serializers.ValidationError(
            {"session_type": ["This session type is not offered at this practice."]}
        )
    if not therapist.offers(session_type):
        raise serializers.ValidationError(
            {"session_type": [f"{therapist.display_name} does not offer {session_type.name}."]}
        )


def _client_region_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=sorted(licensing.REGIONS),
        required=False,
        allow_blank=True,
        help_text="Video sessions: where the client will be during the session (ISO 3166-2, "
        "e.g. US-NY). Required for them: only a therapist licensed there can see the client.",
    )


def _validate_region(attrs: dict) -> None:
    if attrs["session_type"].modality == Modality.TELEHEALTH and not attrs.get("client_region"):
        raise serializers.ValidationError(
            {
                "client_region": [
                    "A video session needs the place the client will be (e.g. US-NY): the "
                    "therapist must be licensed there."
                ]
            }
        )


def _refuse_pair(practice: Practice, therapist_id: int, session_type_id: int) -> None:
    """Say why a slots question's therapist and session type do not go together (the
    error path: it may take a few queries)."""
    fields = {"therapist": _therapist_field(), "session_type": _session_type_field()}
    found, errors = {}, {}
    for name, value in (("therapist", therapist_id), ("session_type", session_type_id)):
        try:
            if not 0 < value < 2**63:  # no row has it, and the database would refuse to look
                fields[name].fail("does_not_exist", pk_value=value)
            found[name] = fields[name].to_internal_value(value)
        except serializers.ValidationError as error:
            errors[name] = error.detail
    if errors:
        raise serializers.ValidationError(errors)
    _validate_pair(practice, found)
    raise serializers.ValidationError({"therapist": ["This therapist takes no bookings here."]})


class SlotListApi(PublicApi):
    class SlotQuerySerializer(serializers.Serializer):
        # Ids here, resolved together in validate(): the therapist, the session type,
        # whether one offers the other and the availability versions are one query.
        therapist = _id_field("therapist")
        session_type = _id_field("session type")
        start = DateField(help_text="First day, in the zone given by tz.")
        end = DateField(help_text="Last day (inclusive), in the zone given by tz.")
        tz = TimeZoneField(
            required=False,
            allow_blank=True,
            help_text="IANA zone for days and times; empty or absent: the practice's.",
        )
        client_region = _client_region_field()

        def validate(self, attrs):
            # The practice's id and zone ("practice_id", "zone"); the practice itself
            # only to say what is wrong ("practice": a callable).
            found = selectors.slot_question_get(
                practice_id=self.context["practice_id"],
                therapist_id=attrs["therapist"],
                session_type_id=attrs["session_type"],
            )
            if found is None:
                _refuse_pair(self.context["practice"](), attrs["therapist"], attrs["session_type"])
            attrs["therapist"], attrs["session_type"], attrs["versions"] = found
            _validate_region(attrs)
            if not attrs.get("tz"):
                attrs["tz"] = self.context["zone"]
            if attrs["end"] < attrs["start"]:
                raise serializers.ValidationError({"end": ["The end date is before the start."]})
            horizon = attrs["session_type"].effective_booking_horizon
            last_day = (timezone.now() + horizon).astimezone(get_zone(attrs["tz"])).date()
            if attrs["end"] > last_day:
                raise serializers.ValidationError(
                    {
                        "end": [
                            f"Sessions can be booked up to {last_day.isoformat()}; "
                            "ask for days up to then."
                        ]
                    }
                )
            if (attrs["end"] - attrs["start"]).days >= MAX_SLOT_RANGE_DAYS:
                raise serializers.ValidationError(
                    {"end": [f"Ask for at most {MAX_SLOT_RANGE_DAYS} days at a time."]}
                )
            return attrs

    class SlotListSerializer(serializers.Serializer):
        timezone = serializers.CharField()
        therapist_timezone = serializers.CharField()
        licensed = serializers.BooleanField(
            help_text="False: a video session, and the therapist is not licensed in "
            "client_region, so no times are offered."
        )
        slots = serializers.ListField(
            child=inline_serializer(
                "Slot", {"start": serializers.CharField(), "end": serializers.CharField()}
            )
        )

    def check_throttles(self, request):
        """Counted in ``get``, in the same round trip to Redis as the kept reply's read."""

    def _count(self, request, and_read: str | None = None):
        throttle = RateThrottle()
        if not throttle.allow_request(request, self, and_read=and_read):
            self.throttled(request, throttle.wait())
        return throttle.value

    @extend_schema(
        parameters=[SlotQuerySerializer],
        responses={200: SlotListSerializer, 400: BAD_REQUEST, 429: TOO_MANY},
    )
    def get(self, request: Request) -> HttpResponse:
        # A question asked before, with nothing changed since: its kept reply.
        now = timezone.now()
        question = slot_replies.question_read(request.query_params)
        row = key = None
        if question is not None:
            row = selectors.slot_question_row(
                therapist_id=question.therapist, session_type_id=question.session_type
            )
        if row is not None and slot_cache.usable(row.versions):
            key = slot_replies.reply_key(question, row)
        kept = self._count(request, and_read=key)
        if key is not None:
            body = slot_replies.reply_cut(kept, now)
            if body is not None:
                return HttpResponse(body, content_type="application/json")
        # The full path: read, check and say what is wrong; answer, and keep the reply.
        if row is not None:
            context = {"practice_id": row.practice_id, "zone": row.practice_zone}
        else:
            practice = self.practice()
            context = {"practice_id": practice.pk, "zone": practice.time_zone}
        context["practice"] = self.practice
        query = self.SlotQuerySerializer(data=request.query_params, context=context)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        therapist, session_type = data["therapist"], data["session_type"]
        zone = get_zone(data["tz"])
        window_start = datetime.combine(data["start"], time(0), tzinfo=zone)
        window_end = datetime.combine(data["end"] + timedelta(days=1), time(0), tzinfo=zone)
        licensed = bool(
            selectors.therapists_licensed_for(
                [therapist], session_type=session_type, region=data.get("client_region", "")
            )
        )
        head = {
            "timezone": data["tz"],
            "therapist_timezone": therapist.time_zone,
            "licensed": licensed,
        }
        request_ = selectors.slot_request_for(session_type=session_type, now=now)
        answer = selectors.slot_answer_get(
            therapist=therapist,
            session_type=session_type,
            window_start=window_start,
            window_end=window_end,
            now=now,
            versions=data["versions"],
        )
        starts = slot_cache.answer_starts(answer, request_) if licensed else []
        # Kept only when the full path read what the key says (no write between).
        read = (
            data["versions"],
            therapist.time_zone,
            therapist.licence_jurisdictions,
            therapist.compact_jurisdictions,
        )
        if key is not None and read == (
            row.versions,
            row.therapist_zone,
            row.licence_jurisdictions,
            row.compact_jurisdictions,
        ):
            slot_replies.reply_keep(
                key,
                answer=answer,
                request=request_,
                now=now,
                body_head=head,
                duration=session_type.duration,
                zone_name=data["tz"],
            )
        return Response(
            {
                **head,
                "slots": [
                    slot_replies.slot_render(s, session_type.duration, data["tz"]) for s in starts
                ],
            }
        )


class BookingOutputSerializer(serializers.Serializer):
    """A booking as its client sees it, times in the client's zone."""

    id = serializers.UUIDField(source="public_id")
    status = serializers.CharField()
    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()
    timezone = serializers.CharField(source="client.time_zone")
    therapist = inline_serializer(
        "BookingTherapist",
        {"id": serializers.IntegerField(), "display_name": serializers.CharField()},
    )
    session_type = inline_serializer(
        "BookingSessionType",
        {
            "id": serializers.IntegerField(),
            "name": serializers.CharField(),
            "duration_minutes": serializers.IntegerField(),
            "modality": serializers.CharField(),
        },
    )
    change_deadline = serializers.SerializerMethodField(
        help_text="Until then the client may cancel or reschedule online."
    )
    manage_url = serializers.SerializerMethodField()

    def get_start(self, obj: Appointment) -> str:
        return isoformat_in(obj.start, obj.client.time_zone)

    def get_end(self, obj: Appointment) -> str:
        return isoformat_in(obj.end, obj.client.time_zone)

    def get_change_deadline(self, obj: Appointment) -> str:
        return isoformat_in(policy.late_cancel_deadline(obj), obj.client.time_zone)

    def get_manage_url(self, obj: Appointment) -> str:
        path = reverse("booking:manage", args=[selectors.manage_token(obj)])
        return self.context["request"].build_absolute_uri(path)


def _booking_response(request: Request, appointment: Appointment, code=status.HTTP_200_OK):
    """The session as it is now. After a change (booked, cancelled, moved) the answer must
    say so even if the connection drops while it is read, so the reads retry."""
    data = dbfaults.retry_on_fresh_connection(
        lambda: BookingOutputSerializer(appointment, context={"request": request}).data,
        what="a booking's answer",
    )
    return Response(data, status=code)


class BookingCreateApi(PublicApi):
    throttle_scope = "booking"

    class BookingRequestSerializer(serializers.Serializer):
        class BookingClientSerializer(serializers.Serializer):
            first_name = serializers.CharField(max_length=100)
            last_name = serializers.CharField(max_length=100)
            email = serializers.EmailField(max_length=254)
            phone = PhoneField(required=False, allow_blank=True, max_length=40, default="")
            sms_consent = serializers.BooleanField(
                required=False,
                default=False,
                help_text="The client asks for text-message reminders at `phone` (which it "
                "then requires). Without it no texts are sent, even with a phone number.",
            )

            def validate(self, attrs):
                if attrs["sms_consent"] and not attrs["phone"]:
                    raise serializers.ValidationError(
                        {"phone": "Text-message reminders need a mobile number."}
                    )
                if attrs["sms_consent"] and not can_take_texts(attrs["phone"]):
                    raise serializers.ValidationError(
                        {
                            "phone": "This looks like a landline, which cannot receive text "
                            "messages: give a mobile number, or leave sms_consent false."
                        }
                    )
                return attrs

        # Ids here, resolved together in validate() as for the slots: the therapist, the
        # session type and whether one offers the other are one query, not three.
        therapist = _id_field("therapist")
        session_type = _id_field("session type")
        start = AwareDateTimeField()
        timezone = TimeZoneField(help_text="The client's IANA zone, for times shown to them.")
        client = BookingClientSerializer()
        client_region = _client_region_field()

        def validate(self, attrs):
            found = selectors.booking_pair_get(
                therapist_id=attrs["therapist"], session_type_id=attrs["session_type"]
            )
            if found is None:
                _refuse_pair(self.context["practice"](), attrs["therapist"], attrs["session_type"])
            attrs["therapist"], attrs["session_type"] = found
            _validate_region(attrs)
            return attrs

    @extend_schema(
        request=BookingRequestSerializer,
        responses={
            201: BookingOutputSerializer,
            400: BAD_REQUEST,
            409: CONFLICT,
            429: TOO_MANY,
            503: UNAVAILABLE,
        },
    )
    def post(self, request: Request) -> Response:
        # The practice is read inside the therapist's query (booking_pair_get); on the
        # error paths, on its own: no practice at all is a 404 before any 400, as ever.
        payload = self.BookingRequestSerializer(
            data=request.data, context={"practice": self.practice}
        )
        if not payload.is_valid():
            self.practice()
            raise serializers.ValidationError(payload.errors)
        data = payload.validated_data
        appointment = services.appointment_book_public(
            therapist=data["therapist"],
            session_type=data["session_type"],
            start=data["start"],
            client_details={**data["client"], "time_zone": data["timezone"]},
            client_region=data.get("client_region", ""),
        )
        return _booking_response(request, appointment, status.HTTP_201_CREATED)


class TokenApi(PublicApi):
    """Base for the manage-link endpoints: the token is the only credential."""

    throttle_scope = "manage"

    def appointment(self, token: str) -> Appointment:
        appointment = selectors.appointment_get_by_token(token)
        if appointment is None:
            raise Http404("This link is not valid. Check that you copied all of it.")
        return appointment


class BookingDetailApi(TokenApi):
    @extend_schema(responses={200: BookingOutputSerializer, 404: NOT_FOUND, 429: TOO_MANY})
    def get(self, request: Request, token: str) -> Response:
        return _booking_response(request, self.appointment(token))


class BookingCancelApi(TokenApi):
    @extend_schema(
        request=None,
        responses={200: BookingOutputSerializer, 404: NOT_FOUND, 409: CONFLICT, 429: TOO_MANY},
    )
    def post(self, request: Request, token: str) -> Response:
        appointment = services.appointment_cancel(
            appointment=self.appointment(token), actor=services.Actor.CLIENT
        )
        return _booking_response(request, appointment)


class BookingRescheduleApi(TokenApi):
    class RescheduleRequestSerializer(serializers.Serializer):
        start = AwareDateTimeField()

    @extend_schema(
        request=RescheduleRequestSerializer,
        responses={
            200: BookingOutputSerializer,
            400: BAD_REQUEST,
            404: NOT_FOUND,
            409: CONFLICT,
            429: TOO_MANY,
        },
    )
    def post(self, request: Request, token: str) -> Response:
        appointment = self.appointment(token)
        payload = self.RescheduleRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        appointment = services.appointment_reschedule(
            appointment=appointment,
            start=payload.validated_data["start"],
            actor=services.Actor.CLIENT,
        )
        return _booking_response(request, appointment)
