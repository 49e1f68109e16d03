from django.urls import path

from clients import apis

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
]
