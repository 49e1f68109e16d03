from django.contrib import admin, messages

from booking.exceptions import BookingError
from booking.models import Appointment, ExtraHours, Notification, TimeOff, WorkingHours
from booking.scheduling import services


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = ["therapist", "weekday", "start_time", "end_time", "modality"]
    list_filter = ["therapist", "weekday"]


@admin.register(ExtraHours)
class ExtraHoursAdmin(admin.ModelAdmin):
    list_display = ["therapist", "date", "start_time", "end_time"]
    list_filter = ["therapist"]


@admin.register(TimeOff)
class TimeOffAdmin(admin.ModelAdmin):
    list_display = ["therapist", "start_date", "start_time", "end_date", "end_time"]
    list_filter = ["practice", "therapist"]


class NotificationInline(admin.TabularInline):
    model = Notification
    fields = ["kind", "channel", "offset", "due_at", "state", "attempts", "last_error", "sent_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Staff see every message's state; failed ones are the ones to look at."""

    list_display = [
        "appointment",
        "kind",
        "channel",
        "due_at",
        "state",
        "attempts",
        "last_error",
        "delivery_status",  # what the email provider's webhook said (bounced, delivered)
    ]
    list_filter = ["state", "delivery_status", "kind", "channel"]
    list_select_related = ["appointment"]
    date_hierarchy = "due_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    """Read-only: sessions are booked, moved and cancelled through the booking service.

    The admin must not be a side door around the overlap checks and the
    sequence counter, so it can look and cancel, nothing else.
    """

    list_display = ["public_id", "therapist", "session_type", "start", "status"]
    list_filter = ["status", "therapist", "session_type"]
    date_hierarchy = "start"
    list_select_related = ["therapist", "session_type"]
    actions = ["approve_selected", "cancel_selected"]
    inlines = [NotificationInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Approve selected requests")
    def approve_selected(self, request, queryset):
        approved = 0
        for appointment in queryset:
            try:
                services.appointment_approve(appointment=appointment, by=request.user)
                approved += 1
            except BookingError as exc:
                self.message_user(request, f"{appointment}: {exc.message}", messages.WARNING)
        self.message_user(request, f"Approved {approved} request(s).")

    @admin.action(description="Cancel selected sessions")
    def cancel_selected(self, request, queryset):
        cancelled = 0
        for appointment in queryset:
            try:
                services.appointment_cancel(
                    appointment=appointment, actor=services.Actor.STAFF, by=request.user
                )
                cancelled += 1
            except BookingError as exc:
                self.message_user(request, f"{appointment}: {exc.message}", messages.WARNING)
        self.message_user(request, f"Cancelled {cancelled} session(s).")
