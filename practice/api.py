"""Shared pieces of the staff API: authentication, the staff permission, paging, error shapes."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import APIView

from practice.access import IsPracticeStaff
from practice.api_tokens import ApiTokenAuthentication
from practice.parsing import validate_supported_date

ErrorSerializer = inline_serializer(
    "StaffError",
    {
        "detail": serializers.CharField(),
        "code": serializers.CharField(required=False),
        "errors": serializers.DictField(required=False),
    },
)


class DateField(serializers.DateField):
    """A YYYY-MM-DD date in the supported range (practice.parsing), for every API input."""

    def __init__(self, **kwargs):
        kwargs["validators"] = [*kwargs.get("validators", ()), validate_supported_date]
        super().__init__(**kwargs)


FORBIDDEN = OpenApiResponse(ErrorSerializer, description="Your role does not allow this.")
NO_PAGE = OpenApiResponse(ErrorSerializer, description="No such page of results.")


class StaffApi(APIView):
    """Signed-in staff (session, with two-factor) or an integration's token; role-scoped."""

    authentication_classes = [SessionAuthentication, ApiTokenAuthentication]
    permission_classes = [IsPracticeStaff]


class Pages(PageNumberPagination):
    page_size = 25
    max_page_size = 100
    page_size_query_param = "page_size"
