"""Logs: one JSON object a line, a request id on each, no personal data or tokens.

Secret-bearing paths (manage links, intake links, calendar feeds) and
``reschedule=`` query values are rewritten before any handler writes them:
Django logs the path of every 4xx and 5xx, and the development server every
request. gunicorn's access log uses the same rules (practice/gunicorn_logging.py).
"""

import logging
import re
import uuid
from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="-")

_INCOMING_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")
_SECRET_PATHS = [
    (re.compile(r"(/book/(?:manage|details|confirm)/)[^/\s?\"']+"), r"\1<token>"),
    (re.compile(r"(/api/v1/bookings/)(?!\s)[^/\s?\"']{20,}"), r"\1<token>"),
    (re.compile(r"(/calendar/)[^/\s?\"']+(\.ics)"), r"\1<token>\2"),
    # Staff: a two-factor enrolment link, a password-reset link (uid and token).
    (re.compile(r"(/staff/two-factor/enrol/)[^/\s?\"']+"), r"\1<token>"),
    (re.compile(r"(/staff/password-reset/)(?!sent/|done/)[^/\s?\"']+/[^/\s?\"']+"), r"\1<token>"),
    # The client's intake link (at the start of a path, not /staff/intake/ or an API path).
    (re.compile(r"(?<![\w/-])(/intake/)[^/\s?\"']+"), r"\1<token>"),
    # ... and as a whole address (a Referer header, a link in a message).
    (re.compile(r"(https?://[^/\s\"']+/intake/)[^/\s?\"']+"), r"\1<token>"),
    # Moving a session: the times page carries the manage token in its query.
    (re.compile(r"([?&]reschedule=)[^&\s\"']+"), r"\1<token>"),
    # A video room's token (booking/video.py), should its address ever reach a log line.
    (re.compile(r"([?&]jwt=)[^&\s\"']+"), r"\1<token>"),
]


_traceback_formatter = logging.Formatter()


def redact(text: str) -> str:
    for pattern, replacement in _SECRET_PATHS:
        text = pattern.sub(replacement, text)
    return text


class RequestIdMiddleware:
    """Give each request an id (or keep a sane one from the proxy) for its log lines."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        token = request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response["X-Request-ID"] = rid
        return response


def _visitor_mistake(record: logging.LogRecord) -> bool:
    """A 400 for a request a view refused as bad (``BadRequest``: a date that does not
    exist in the query). Security refusals (``SuspiciousOperation``) keep theirs."""
    from django.core.exceptions import BadRequest

    error = record.exc_info[1] if record.exc_info else None
    return getattr(record, "status_code", None) == 400 and isinstance(error, BadRequest)


class ContextFilter(logging.Filter):
    """Adds the request id and redacts secret-bearing paths from the message."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        if _visitor_mistake(record):
            # A bad value in an address (?date=2024-02-30) is the visitor's, not a fault:
            # one line ("Bad Request: /book/times/"), no traceback, nothing they typed.
            path = getattr(getattr(record, "request", None), "path", "")
            record.msg, record.args = "Bad Request: %s", (path,)
            record.exc_info, record.exc_text = None, None
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        # A traceback can name a path too (a KeyError, a Celery "unregistered task"):
        # format it here, redacted; formatters print exc_text when exc_info is gone.
        if record.exc_info:
            record.exc_text = redact(_traceback_formatter.formatException(record.exc_info))
            record.exc_info = None
        # Django attaches the request object to some records: never serialise it.
        if hasattr(record, "request"):
            record.request = None
        return True
