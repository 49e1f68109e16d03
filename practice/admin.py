from django.contrib import admin

from practice.models import Practice, Room, SessionType, StaffMember, Therapist


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
