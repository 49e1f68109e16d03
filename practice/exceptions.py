"""The base of every domain error; the API's exception handler turns one into an HTTP answer.

Apps subclass it (``booking.exceptions``) so that practice/, the core, never imports them.
"""


class DomainError(Exception):
    """``message`` is written for the person who made the request; ``http_status`` is the
    answer the API gives (409: the request is understood but cannot be done)."""

    code = "domain_error"
    http_status = 409

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
