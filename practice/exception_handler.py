"""One place where domain errors become HTTP answers, for every API view."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from practice.exceptions import DomainError


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        # A domain error may carry what the caller needs to resolve it (``extra``).
        body = {"detail": exc.message, "code": exc.code, **getattr(exc, "extra", {})}
        return Response(body, status=exc.http_status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail
        if not isinstance(errors, dict):
            # Errors about the request as a whole, in the same shape as a field's.
            errors = {"non_field_errors": errors}
        return Response(
            {
                "detail": "Some of what was sent needs fixing; see errors.",
                "code": "invalid",
                "errors": errors,
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    return exception_handler(exc, context)
