from django.urls import path

from bench.floor.views import FloorBookApi, FloorSlotListApi

urlpatterns = [
    path("floor/book/", FloorBookApi.as_view()),
    path("floor/slots/", FloorSlotListApi.as_view()),
]
