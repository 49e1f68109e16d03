from django.urls import path

from booking import views

app_name = "booking"

urlpatterns = [
    path("manage/<str:token>/", views.manage, name="manage"),
    path("manage/<str:token>/session.ics", views.appointment_ics, name="appointment-ics"),
]
