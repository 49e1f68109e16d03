"""The project's error answers (handler400, handler500).

A page answers HTML; anything under /api/ answers JSON in the documented error
shape (``{"detail", "code"}``, see practice.exception_handler), so an API client
never has to parse an HTML page, not even from a 500.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults

from practice.parsing import BadInput


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    # Only our own BadInput carries a message written for the visitor; other
    # BadRequest/SuspiciousOperation messages may describe internals.
    message = str(exception) if isinstance(exception, BadInput) else ""
    if _is_api(request):
        return JsonResponse(
            {"detail": message or "The request could not be understood.", "code": "bad_request"},
            status=400,
        )
    return render(request, "bad_request.html", {"message": message}, status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            {
                "detail": "Something went wrong on our side; it has been logged. "
                "Please try again later.",
                "code": "server_error",
            },
            status=500,
        )
    return defaults.server_error(request)
