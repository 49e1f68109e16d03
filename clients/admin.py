"""Admin (owners only, see practice.admin_site): contact records, intake set-up, the audit log.

Intake answers and screener results are not in the admin at all: they are read
on the staff pages, where every look is audited.
"""

import json

from django import forms
from django.contrib import admin
from django.utils import timezone

from clients.audit import audit
from clients.intake import services as intake_services
from clients.intake.questions import DEFAULT_QUESTIONS, validate_questions
from clients.models import (
    AuditAction,
    AuditEvent,
    Client,
    ConsentDocument,
    IntakeForm,
    new_link_nonce,
)


class ClientAdminForm(forms.ModelForm):
    """One proven record per address: say so, rather than fail at the database's index."""

    def clean_email(self):
        email = self.cleaned_data["email"]
        practice = self.cleaned_data.get("practice") or getattr(self.instance, "practice", None)
        proven = Client.objects.filter(email__iexact=email, verified_at__isnull=False)
        if practice is not None and self.instance.pk is not None:
            proven = proven.exclude(pk=self.instance.pk)
        if practice is not None and proven.filter(practice=practice).exists():
            raise forms.ValidationError("Another client of the practice already uses this email.")
        return email


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    form = ClientAdminForm
    list_display = ["pk", "first_name", "last_name", "email", "status", "assigned_therapist"]
    search_fields = ["first_name", "last_name", "email", "phone"]
    list_filter = ["practice", "status"]
    exclude = ["public_id"]
    # Consent to texts is recorded on the staff pages and API (when and by whom), not typed here.
    readonly_fields = [
        "anonymised_at",
        "contact_consent_at",
        "sms_consent_at",
        "sms_consent_by",
        "verified_at",
    ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        client = self.get_object(request, object_id)
        if request.method == "GET" and client is not None:
            audit(request, action=AuditAction.VIEW, what="record", client=client, via="admin")
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            # Made by the practice: proven from the start, like the staff pages' records.
            obj.verified_at = timezone.now()
            obj.link_nonce = new_link_nonce()
        super().save_model(request, obj, form, change)
        audit(
            request,
            action=AuditAction.CHANGE if change else AuditAction.CREATE,
            what="record",
            client=obj,
            fields=form.changed_data,
            via="admin",
        )


class IntakeFormAdminForm(forms.ModelForm):
    questions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 20, "cols": 100}),
        required=False,
        help_text="JSON list of questions (see clients/questions.py). Saving a change "
        "publishes a new version; earlier submissions keep the version they answered.",
    )

    class Meta:
        model = IntakeForm
        fields = ["practice", "name", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        latest = self.instance.versions.first() if self.instance.pk else None
        questions = latest.questions if latest else DEFAULT_QUESTIONS
        self.fields["questions"].initial = json.dumps(questions, indent=2)

    def clean_questions(self):
        try:
            questions = json.loads(self.cleaned_data["questions"] or "[]")
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc}") from exc
        validate_questions(questions)
        return questions


@admin.register(IntakeForm)
class IntakeFormAdmin(admin.ModelAdmin):
    form = IntakeFormAdminForm
    list_display = ["name", "practice", "is_active"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        latest = obj.versions.first()
        questions = form.cleaned_data["questions"]
        if latest is None or latest.questions != questions:
            intake_services.intake_form_publish(form=obj, questions_list=questions)


class ConsentDocumentAdminForm(forms.ModelForm):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 20, "cols": 100}),
        help_text="Saving a changed text publishes a new version: every client is asked "
        "to sign it again.",
    )

    class Meta:
        model = ConsentDocument
        fields = ["practice", "kind", "title", "is_required"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        latest = self.instance.versions.first() if self.instance.pk else None
        self.fields["text"].initial = latest.text if latest else ""


@admin.register(ConsentDocument)
class ConsentDocumentAdmin(admin.ModelAdmin):
    form = ConsentDocumentAdminForm
    list_display = ["title", "kind", "practice", "is_required"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        intake_services.consent_publish(document=obj, text=form.cleaned_data["text"])


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only."""

    list_display = ["at", "actor", "actor_role", "action", "what", "client_ref", "via"]
    list_filter = ["action", "what", "via", "actor_role"]
    search_fields = ["actor__username", "=client_ref"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
