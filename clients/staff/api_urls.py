from django.urls import path

from booking.staff import apis as staff_apis
from clients.staff import apis

urlpatterns = [
    path("clients/", apis.ClientListApi.as_view(), name="clients"),
    path("clients/<str:public_id>/", apis.ClientDetailApi.as_view(), name="client"),
    path("clients/<str:public_id>/intake/", apis.IntakeStatusApi.as_view(), name="intake"),
    path(
        "clients/<str:public_id>/intake/review/",
        apis.IntakeReviewApi.as_view(),
        name="intake-review",
    ),
    path("clients/<str:public_id>/clinical/", apis.ClinicalApi.as_view(), name="clinical"),
    path("clients/<str:public_id>/export/", apis.ExportApi.as_view(), name="export"),
    path("audit/", apis.AuditLogApi.as_view(), name="audit"),
    path("appointments/", staff_apis.StaffAppointmentListApi.as_view(), name="appointments"),
    path(
        "appointments/<str:public_id>/",
        staff_apis.StaffAppointmentApi.as_view(),
        name="appointment",
    ),
    path(
        "appointments/<str:public_id>/<str:action>/",
        staff_apis.StaffAppointmentActionApi.as_view(),
        name="appointment-action",
    ),
    path("availability/", staff_apis.AvailabilityApi.as_view(), name="availability"),
    path("availability/time-off/", staff_apis.TimeOffListApi.as_view(), name="time-off"),
    path("availability/time-off/<str:pk>/", staff_apis.TimeOffApi.as_view(), name="time-off-item"),
    path("availability/extra-hours/", staff_apis.ExtraHoursListApi.as_view(), name="extra-hours"),
    path(
        "availability/extra-hours/<str:pk>/",
        staff_apis.ExtraHoursApi.as_view(),
        name="extra-hours-item",
    ),
    path("series/", staff_apis.SeriesListApi.as_view(), name="series"),
    path("series/plan/", staff_apis.SeriesPlanApi.as_view(), name="series-plan"),
    path("series/<str:public_id>/", staff_apis.SeriesApi.as_view(), name="series-item"),
    path("series/<str:public_id>/end/", staff_apis.SeriesEndApi.as_view(), name="series-end"),
]
