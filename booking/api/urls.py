from django.urls import path

from booking.api import apis

urlpatterns = [
    path("therapists/", apis.TherapistListApi.as_view(), name="therapists"),
    path("session-types/", apis.SessionTypeListApi.as_view(), name="session-types"),
    path("slots/", apis.SlotListApi.as_view(), name="slots"),
    path("bookings/", apis.BookingCreateApi.as_view(), name="booking-create"),
    path("bookings/<str:token>/", apis.BookingDetailApi.as_view(), name="booking-detail"),
    path("bookings/<str:token>/cancel/", apis.BookingCancelApi.as_view(), name="booking-cancel"),
    path(
        "bookings/<str:token>/reschedule/",
        apis.BookingRescheduleApi.as_view(),
        name="booking-reschedule",
    ),
]
