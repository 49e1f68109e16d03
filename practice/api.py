"""Shared pieces of the staff API: authentication, the staff permission, paging, error shapes."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import APIView

from practice.access import IsPracticeStaff
from practice.api_tokens import ApiTokenAuthentication
from practice.parsing import int_or_none, validate_supported_date

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
    """Pages of 25 (``page_size`` up to 100). A ``page`` or ``page_size`` that is not a
    whole number from 1 (empty included) is a 400 that says so; a page past the last is
    a 404 (NO_PAGE)."""

    page_size = 25
    max_page_size = 100
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        int_param(request.query_params, self.page_query_param, what="a page number")
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request):
        # Up to max_page_size (a larger one is cut to it); not a whole number: 400.
        size = int_param(request.query_params, self.page_size_query_param, what="a page size")
        return self.page_size if size is None else min(size, self.max_page_size)


def int_param(params, name: str, *, what: str) -> int | None:
    """A query parameter that must be a whole number from 1 when given: None when
    absent; present but empty or anything else is a 400 that says so (never ignored)."""
    if name not in params:
        return None
    number = int_or_none(params[name])
    if number is None or number < 1:
        raise serializers.ValidationError({name: [f"Give {what}: a whole number from 1."]})
    return number
