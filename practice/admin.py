from django.contrib import admin

from practice.api_tokens import api_token_revoke
from practice.models import ApiToken, Practice, Room, SessionType, StaffMember, Therapist


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SessionType)
class SessionTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "practice", "duration_minutes", "modality", "price", "is_active"]
    list_filter = ["practice", "modality", "is_active"]


@admin.register(Therapist)
class TherapistAdmin(admin.ModelAdmin):
    list_display = ["display_name", "practice", "time_zone", "is_active"]
    list_filter = ["practice", "is_active"]
    filter_horizontal = ["session_types"]


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
