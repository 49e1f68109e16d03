from django.contrib import admin

from practice.api_tokens import api_token_revoke
from practice.models import ApiToken, Practice, Room, SessionType, StaffMember, Therapist
from practice.services import slug_remember


class BookingSlugAdminMixin:
    """A changed booking-link slug keeps its old links working (a 301 to the new one)."""

    def save_model(self, request, obj, form, change):
        old = form.initial.get("slug", "") if change else ""
        super().save_model(request, obj, form, change)
        if change and "slug" in form.changed_data:
            slug_remember(obj=obj, old=old)


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SessionType)
class SessionTypeAdmin(BookingSlugAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "practice",
        "duration_minutes",
        "modality",
        "price",
        "is_active",
    ]
    list_filter = ["practice", "modality", "is_active"]


@admin.register(Therapist)
class TherapistAdmin(BookingSlugAdminMixin, admin.ModelAdmin):
    list_display = ["display_name", "slug", "practice", "time_zone", "is_active"]
    list_filter = ["practice", "is_active"]
    filter_horizontal = ["session_types"]
    # Uploaded on the staff profile page only, where it is resized and stripped.
    readonly_fields = ["photo"]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "practice", "is_active"]


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    """Staff management (owners only, like the whole admin)."""

    list_display = ["user", "role", "practice", "created_at"]
    list_filter = ["practice", "role"]
    raw_id_fields = ["user"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued on /staff/api-tokens/ (shown once there); only a digest is stored,
    and it is not even listed here."""

    list_display = [
        "name",
        "user",
        "key_id",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at"]
    fields = [
        "name",
        "user",
        "key_id",
        "created_by",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset:
            api_token_revoke(token=token)
