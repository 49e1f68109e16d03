"""The staff API for client records (/api/v1/staff/): the same access rules and audit as the pages.

Session authentication (the staff pages' sign-in, with two-factor); every
endpoint checks the role through practice.access and records what was seen.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from booking.api.apis import BAD_REQUEST, CONFLICT
from clients import privacy, selectors, services
from clients.access import (
    can_add_clients,
    can_export_or_anonymise,
    can_read_audit,
    can_run_intake,
    can_see_clinical,
    client_or_404,
    clients_visible,
)
from clients.audit import audit
from clients.forms import NOT_TEXTABLE, normalise_phone
from clients.intake import services as intake_services
from clients.models import CONTACT_FIELDS, AuditAction, AuditEvent, Client, Intake
from clients.services import SMS_CONSENT_NEEDS_PHONE
from practice.api import FORBIDDEN, NO_PAGE, ErrorSerializer, Pages, StaffApi, int_param
from practice.exceptions import DomainError
from practice.phones import can_take_texts
from practice.timezones import zone_read, zone_unknown_message

NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such client (visible to you).")


class ClientApi(StaffApi):
    def client(self, public_id) -> Client:
        return client_or_404(self.request.staff, public_id, request=self.request)


SMS_CONSENT_HELP = (
    "The client agreed to text-message reminders at `phone` (which it then requires); "
    "false withdraws it. Without it no texts are sent, even with a number."
)


class SmsConsentChecks:
    """Consent to texts goes with a number that can take them (the same rule as the form)."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = getattr(self, "instance", None)
        consent = attrs.get("sms_consent", instance.sms_consent if instance else False)
        phone = attrs.get("phone", instance.phone if instance else "")
        if consent and not phone:
            raise serializers.ValidationError({"sms_consent": SMS_CONSENT_NEEDS_PHONE})
        if consent and "phone" in attrs and not can_take_texts(phone):
            raise serializers.ValidationError({"phone": NOT_TEXTABLE})
        return attrs


class ClientSerializer(SmsConsentChecks, serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    assigned_therapist = serializers.PrimaryKeyRelatedField(read_only=True)
    intake_status = serializers.SerializerMethodField()
    sms_consent = serializers.BooleanField(required=False, help_text=SMS_CONSENT_HELP)
    sms_consent_at = serializers.DateTimeField(read_only=True, allow_null=True)
    sms_consent_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="The staff user who recorded the consent; null: the client themselves.",
    )

    class Meta:
        model = Client
        fields = [
            "id",
            *CONTACT_FIELDS,
            "sms_consent",
            "sms_consent_at",
            "sms_consent_by",
            "assigned_therapist",
            "intake_status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate_phone(self, value):
        return _phone(value)

    def validate_emergency_contact_phone(self, value):
        return _phone(value)

    def validate_time_zone(self, value):
        return _time_zone(value)

    def get_intake_status(self, client) -> str | None:
        intake = getattr(client, "intake", None)
        return intake.status if intake is not None else None


def _phone(value: str) -> str:
    try:
        return normalise_phone(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from exc


def _time_zone(value: str) -> str:
    name = zone_read(value)
    if name is None:
        raise serializers.ValidationError(
            f"{zone_unknown_message(value)} Use an IANA name such as Europe/Berlin."
        )
    return name


class ClientCreateSerializer(SmsConsentChecks, serializers.Serializer):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    preferred_name = serializers.CharField(max_length=100, required=False, default="")
    email = serializers.EmailField(max_length=254)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    time_zone = serializers.CharField(max_length=64)
    sms_consent = serializers.BooleanField(
        required=False, default=False, help_text=SMS_CONSENT_HELP
    )
    shares_email = serializers.BooleanField(
        required=False,
        default=False,
        help_text="True: a different person who shares this email with an existing record "
        "(a partner, a family member): a record of their own. False (default): the record "
        "already on file with this email is the same person and is returned unchanged.",
    )

    def validate_phone(self, value):
        return _phone(value)

    def validate_time_zone(self, value):
        return _time_zone(value)


NOT_YOURS_TO_SEE = (
    "This email is on file for a client of the practice you do not see. Ask the front desk "
    "or an owner to assign them to you, or send shares_email: true for a different person."
)


class EmailNotYours(DomainError):
    """A therapist adding a client whose address belongs to a record they may not see."""

    code = "email_on_file"


class ClientListApi(StaffApi, generics.GenericAPIView):
    pagination_class = Pages
    serializer_class = ClientSerializer

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="Name, email or phone fragment.")],
        responses={
            200: ClientSerializer(many=True),
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NO_PAGE,
        },
    )
    def get(self, request: Request) -> Response:
        query = request.query_params.get("q", "")[:100]
        page = self.paginate_queryset(selectors.client_search(request.staff, query))
        if query:
            audit(
                request,
                action=AuditAction.SEARCH,
                what="client_list",
                via="api",
                practice=request.staff.practice,
            )
        return self.get_paginated_response(ClientSerializer(page, many=True).data)

    @extend_schema(
        request=ClientCreateSerializer,
        responses={
            201: ClientSerializer,
            200: OpenApiResponse(
                ClientSerializer, description="A client with this email exists; left as it is."
            ),
            400: BAD_REQUEST,
            403: FORBIDDEN,
            409: CONFLICT,
        },
        description="A client on the phone: a new record (proven: staff vouch for it), or the "
        "practice's existing one with this email, unchanged. A therapist may add one when the "
        "practice lets therapists add clients: assigned to them; an email on file for a client "
        "they do not see is a 409 (`email_on_file`).",
    )
    def post(self, request: Request) -> Response:
        staff = request.staff
        if not can_add_clients(staff):
            raise PermissionDenied(
                "Only the front desk and owners create client records "
                "(and therapists, when the practice lets them)."
            )
        serializer = ClientCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        match = services.client_owning_email(staff.practice, data["email"])
        if (
            match is not None
            and not data["shares_email"]
            and not clients_visible(staff).filter(pk=match.pk).exists()
        ):
            raise EmailNotYours(NOT_YOURS_TO_SEE)
        client, created = services.client_get_or_create(
            practice=staff.practice,
            by=request.user,
            assigned_therapist=staff.therapist if staff.is_therapist else None,
            **data,
        )
        action = AuditAction.CREATE if created else AuditAction.VIEW
        what = "record"
        if serializer.validated_data["shares_email"]:
            what = "record_shares_email"
        elif not created:
            what = "record_same_person"
        audit(request, action=action, what=what, client=client, via="api")
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(ClientSerializer(client).data, status=code)


class ClientDetailApi(ClientApi):
    @extend_schema(responses={200: ClientSerializer, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request: Request, public_id) -> Response:
        client = self.client(public_id)
        audit(request, action=AuditAction.VIEW, what="record", client=client, via="api")
        return Response(ClientSerializer(client).data)

    @extend_schema(
        request=ClientSerializer,
        responses={200: ClientSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request: Request, public_id) -> Response:
        client = self.client(public_id)
        serializer = ClientSerializer(client, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changed = services.client_update_contact(
            client=client, changes=serializer.validated_data, by=request.user
        )
        audit(
            request,
            action=AuditAction.CHANGE,
            what="contact",
            client=client,
            fields=changed,
            via="api",
        )
        return Response(ClientSerializer(client).data)


class ConsentStatusSerializer(serializers.Serializer):
    document = serializers.CharField(source="document.title")
    kind = serializers.CharField(source="document.kind")
    version = serializers.IntegerField(source="version.number")
    required = serializers.BooleanField(source="document.is_required")
    signed = serializers.BooleanField()


class AdminAnswerSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.JSONField(allow_null=True)


class IntakeStatusSerializer(serializers.Serializer):
    status = serializers.CharField(allow_null=True)
    invited_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    consents = ConsentStatusSerializer(many=True)
    admin_answers = AdminAnswerSerializer(many=True)


def _intake_status(client: Client) -> dict:
    view = selectors.intake_admin_view(client)
    intake = view["intake"]
    data = {
        "status": intake.status if intake else None,
        "invited_at": intake.invited_at if intake else None,
        "submitted_at": intake.submitted_at if intake else None,
        "reviewed_at": intake.reviewed_at if intake else None,
        "consents": view["consents"],
        "admin_answers": view["admin_answers"],
    }
    return IntakeStatusSerializer(data).data


class IntakeStatusApi(ClientApi):
    """The administrative part of intake: what the front desk may see."""

    @extend_schema(responses={200: IntakeStatusSerializer, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request: Request, public_id) -> Response:
        client = self.client(public_id)
        audit(request, action=AuditAction.VIEW, what="intake_status", client=client, via="api")
        return Response(_intake_status(client))


class IntakeReviewApi(ClientApi):
    staff_allow = staticmethod(can_run_intake)

    @extend_schema(
        request=None,
        responses={200: IntakeStatusSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, public_id) -> Response:
        client = self.client(public_id)
        intake = get_object_or_404(Intake, client=client)
        intake_services.intake_mark_reviewed(intake=intake, by=request.user)
        audit(
            request,
            action=AuditAction.CHANGE,
            what="intake_status",
            client=client,
            fields=["status"],
            via="api",
        )
        return Response(_intake_status(client))


class ScreenerSerializer(serializers.Serializer):
    measure = serializers.CharField()
    completed_at = serializers.DateTimeField()
    score = serializers.IntegerField()
    band = serializers.CharField()
    items = serializers.ListField(child=serializers.IntegerField())


class ClinicalSerializer(serializers.Serializer):
    answers = AdminAnswerSerializer(many=True)
    screeners = ScreenerSerializer(many=True)
    open_safety_alerts = serializers.IntegerField()


class ClinicalApi(ClientApi):
    """Intake answers, screener scores and safety alerts: the client's therapists and owners."""

    @extend_schema(responses={200: ClinicalSerializer, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request: Request, public_id) -> Response:
        client = self.client(public_id)
        if not can_see_clinical(request.staff, client):
            raise PermissionDenied("Only the client's therapists and the owner see clinical data.")
        view = selectors.intake_clinical_view(client)
        audit(request, action=AuditAction.VIEW, what="intake_and_scores", client=client, via="api")
        data = {
            "answers": view["clinical_answers"],
            "screeners": [
                {"measure": r.measure, "completed_at": r.completed_at, **r.result}
                for m in view["history"]
                for r in m["results"]
            ],
            "open_safety_alerts": sum(1 for a in view["alerts"] if a.acknowledged_at is None),
        }
        return Response(ClinicalSerializer(data).data)


class ExportApi(ClientApi):
    staff_allow = staticmethod(can_export_or_anonymise)

    @extend_schema(
        responses={200: OpenApiResponse(description="Everything held about the client (JSON).")}
        | {403: FORBIDDEN, 404: NOT_FOUND}
    )
    def get(self, request: Request, public_id) -> Response:
        client = self.client(public_id)
        audit(request, action=AuditAction.EXPORT, what="export_json", client=client, via="api")
        response = Response(privacy.client_export(client))
        response["Cache-Control"] = "no-store"
        return response


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "at",
            "actor",
            "actor_role",
            "action",
            "what",
            "client_ref",
            "fields",
            "via",
            "ip_address",
            "request_id",
        ]


class AuditLogApi(StaffApi, generics.GenericAPIView):
    staff_allow = staticmethod(can_read_audit)
    pagination_class = Pages
    serializer_class = AuditEventSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("client", int, description="Client number."),
            OpenApiParameter(
                "client_name",
                str,
                description="Words of the client's name (or email), each of which must match.",
            ),
        ],
        responses={
            200: AuditEventSerializer(many=True),
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NO_PAGE,
        },
    )
    def get(self, request: Request) -> Response:
        events = AuditEvent.objects.filter(practice=request.staff.practice).select_related("actor")
        number = int_param(request.query_params, "client", what="a client's number")
        if number is not None:
            events = events.filter(client_ref=number)
        if name := request.query_params.get("client_name", "").strip()[:100]:
            named = selectors.client_ids_named(request.staff.practice, name)
            events = events.filter(client_ref__in=named)
        page = self.paginate_queryset(events)
        return self.get_paginated_response(AuditEventSerializer(page, many=True).data)
