from django.urls import path

from booking.staff import views as staff_views

urlpatterns = [
    path("calendar/", staff_views.therapist_calendar, name="staff-calendar"),
    path("desk/", staff_views.front_desk, name="staff-desk"),
    path(
        "appointments/<uuid:public_id>/",
        staff_views.appointment_detail,
        name="staff-appointment",
    ),
    path(
        "appointments/<uuid:public_id>/<str:action>/",
        staff_views.appointment_action,
        name="staff-appointment-action",
    ),
    path("availability/", staff_views.availability_page, name="staff-availability"),
    path(
        "availability/<str:kind>/<int:pk>/delete/",
        staff_views.availability_delete,
        name="staff-availability-delete",
    ),
    path("clients/<uuid:client_id>/series/new/", staff_views.series_new, name="staff-series-new"),
    path("series/<uuid:public_id>/", staff_views.series_detail, name="staff-series"),
    path("series/<uuid:public_id>/end/", staff_views.series_end, name="staff-series-end"),
]
