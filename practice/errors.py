"""The project's error answers (handler400/403/404/500, the CSRF failure view).

A page answers the practice's own page (its name, a sentence, a way back to
/book/); anything under /api/ answers JSON in the documented error shape
(``{"detail", "code"}``, see practice.exception_handler), so an API client
never has to parse an HTML page, not even from a 500.
"""

import logging
import sys

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from practice import dbfaults
from practice.parsing import BadInput

logger = logging.getLogger(__name__)

NOT_FOUND = "Sorry, we could not find that page."


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _practice():
    """The practice for the page's name; None if even that cannot be read (a 500)."""
    from practice.selectors import practice_current

    try:
        return practice_current()
    except Exception:  # noqa: BLE001 (an error page must render whatever broke)
        logger.exception("error page without the practice")
        return None


def error_page(
    request: HttpRequest, *, status: int, title: str, message: str, advice: str = ""
) -> HttpResponse:
    """The practice's page for an error: what happened, what to do, the way back."""
    context = {"practice": _practice(), "title": title, "message": message, "advice": advice}
    return render(request, "error.html", context, status=status)


def _visitor_message(exception) -> str:
    """An Http404's own words when our code wrote them for the visitor.

    Not the resolver's (it lists URL patterns) nor get_object_or_404's
    ("No Appointment matches the given query.").
    """
    if type(exception) is not Http404 or not exception.args:
        return ""
    text = exception.args[0]
    return text if isinstance(text, str) and not text.endswith("the given query.") else ""


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    message = _visitor_message(exception)
    return error_page(
        request,
        status=404,
        title="We could not open this page" if message else "Page not found",
        message=message or NOT_FOUND,
        advice="If you followed a link from one of our emails, check that you copied all of it.",
    )


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            {"detail": "You do not have permission to do this.", "code": "permission_denied"},
            status=403,
        )
    return error_page(
        request,
        status=403,
        title="This page is not open to you",
        message="Sorry, you do not have access to this page.",
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form older than its security cookie (a tab left open for a day, a blocked cookie)."""
    if _is_api(request):
        return JsonResponse(
            {"detail": "CSRF check failed.", "code": "permission_denied"}, status=403
        )
    return error_page(
        request,
        status=403,
        title="This form has expired",
        message="For your security, forms only work for a while after the page was opened.",
        advice="Please go back, reload the page and send it again. Your browser needs to "
        "accept cookies from this site.",
    )


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    # Only our own BadInput carries a message written for the visitor; other
    # BadRequest/SuspiciousOperation messages may describe internals.
    message = str(exception) if isinstance(exception, BadInput) else ""
    if _is_api(request):
        return JsonResponse(
            {"detail": message or "The request could not be understood.", "code": "bad_request"},
            status=400,
        )
    return render(
        request, "bad_request.html", {"message": message, "practice": _practice()}, status=400
    )


def server_error(request: HttpRequest) -> HttpResponse:
    # A dropped database connection anywhere (a middleware's query too): 503, not 500.
    if isinstance(sys.exc_info()[1], dbfaults.DISCONNECTS):
        return unavailable_response(request)
    if _is_api(request):
        return JsonResponse(
            {
                "detail": "Something went wrong on our side; it has been logged. "
                "Please try again later.",
                "code": "server_error",
            },
            status=500,
        )
    return error_page(
        request,
        status=500,
        title="Something went wrong",
        message="Sorry, something went wrong on our side. It has been logged and we will "
        "look into it.",
        advice="Please try again in a few minutes. Nothing you booked has been lost.",
    )


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON under /api/, the practice's branded page otherwise."""
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": "We cannot reach our database just now; nothing was changed. "
                "Please try again in a minute.",
                "code": "unavailable",
            },
            status=503,
        )
    else:
        response = error_page(
            request,
            status=503,
            title="We will be back in a moment",
            message="Sorry, we cannot reach our records just now, so nothing was changed.",
            advice="Please try again in a minute.",
        )
    response["Retry-After"] = str(dbfaults.RETRY_AFTER_SECONDS)
    return response


class MethodNotAllowedPageMiddleware:
    """A page asked for with the wrong method (GET on a form's address) answers the
    practice's page, not Django's empty 405; the API keeps its JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or _is_api(request) or response.content:
            return response
        page = error_page(
            request,
            status=405,
            title="This page cannot be opened directly",
            message="It is the end of a form: please start again from the page before it.",
        )
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page


class DatabaseUnavailableMiddleware:
    """A database failure during a request answers 503 with Retry-After, never a bare 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, dbfaults.DISCONNECTS):
            return None
        logger.error("Database unavailable during %s %s", request.method, request.path)
        dbfaults.reset_connection()
        return unavailable_response(request)
