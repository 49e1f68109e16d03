from django.urls import path

from booking import views

app_name = "booking"

urlpatterns = [
    path("manage/<str:token>/", views.manage, name="manage"),
]
