"""Text messages behind a small backend interface, chosen by the SMS_BACKEND setting.

- ``FileBackend`` (the default, for the demo): one file per message under SMS_FILE_PATH.
- ``LocmemBackend`` (tests): messages collected in ``outbox``.
- ``TwilioBackend`` (production): Twilio's REST API, configured by environment.
  Its HTTP call is the one thing the tests stub.
"""

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

outbox: list[dict] = []


class SMSError(Exception):
    """A message could not be handed over. ``transient`` errors are worth retrying."""

    def __init__(self, message: str, *, transient: bool):
        super().__init__(message)
        self.transient = transient


class BaseBackend:
    def send(self, *, to: str, body: str) -> str:
        """Hand over one message; return the provider's message id."""
        raise NotImplementedError


class LocmemBackend(BaseBackend):
    def send(self, *, to: str, body: str) -> str:
        message_id = f"locmem-{uuid.uuid4().hex}"
        outbox.append({"to": to, "body": body, "id": message_id})
        return message_id


class FileBackend(BaseBackend):
    def send(self, *, to: str, body: str) -> str:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        message_id = f"file-{uuid.uuid4().hex}"
        (folder / f"{message_id}.txt").write_text(f"To: {to}\n\n{body}\n", encoding="utf-8")
        return message_id


class TwilioBackend(BaseBackend):
    """Twilio's Messages API: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER."""

    api = "https://api.twilio.com/2010-04-01/Accounts/{sid}/Messages.json"
    timeout = 10

    def send(self, *, to: str, body: str) -> str:
        sid, token = settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN
        request = urllib.request.Request(  # noqa: S310 (a fixed https URL)
            self.api.format(sid=sid),
            data=urllib.parse.urlencode(
                {"To": to, "From": settings.TWILIO_FROM_NUMBER, "Body": body}
            ).encode(),
            headers={
                "Authorization": "Basic "
                + base64.b64encode(f"{sid}:{token}".encode()).decode("ascii")
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return json.loads(response.read())["sid"]
        except urllib.error.HTTPError as exc:
            # 429 and 5xx may pass; any other 4xx (bad number, bad credentials) will not.
            transient = exc.code == 429 or exc.code >= 500
            raise SMSError(f"SMS provider answered HTTP {exc.code}", transient=transient) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            message = f"SMS provider unreachable: {type(exc).__name__}"
            raise SMSError(message, transient=True) from exc


# Where the backends lived before booking/ was split by job; an .env written then still works.
OLD_MODULE = "booking.sms."


def get_backend() -> BaseBackend:
    path = settings.SMS_BACKEND
    if path.startswith(OLD_MODULE):
        path = __name__ + "." + path.removeprefix(OLD_MODULE)
    return import_string(path)()
