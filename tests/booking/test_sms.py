"""The Twilio backend. Only its HTTP call to the provider is stubbed: it leaves this machine."""

import io
import json
import urllib.error
import urllib.parse

import pytest

from booking.notify import sms


@pytest.fixture
def twilio(settings):
    settings.TWILIO_ACCOUNT_SID = "AC123"
    settings.TWILIO_AUTH_TOKEN = "secret-token"
    settings.TWILIO_FROM_NUMBER = "+12025550100"
    return sms.TwilioBackend()


class FakeResponse(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_it_posts_the_message_and_returns_the_provider_id(twilio, monkeypatch):
    seen = {}

    def fake_urlopen(request, timeout):
        seen["url"], seen["data"], seen["auth"] = (
            request.full_url,
            urllib.parse.parse_qs(request.data.decode()),
            request.headers["Authorization"],
        )
        return FakeResponse(json.dumps({"sid": "SM42"}).encode())

    monkeypatch.setattr(sms.urllib.request, "urlopen", fake_urlopen)
    assert twilio.send(to="+12025550143", body="Hi") == "SM42"
    assert seen["url"] == "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json"
    assert seen["data"] == {"To": ["+12025550143"], "From": ["+12025550100"], "Body": ["Hi"]}
    assert seen["auth"].startswith("Basic ")


@pytest.mark.parametrize(("status", "transient"), [(503, True), (429, True), (400, False)])
def test_http_errors_say_whether_to_retry(twilio, monkeypatch, status, transient):
    def fail(request, timeout):
        raise urllib.error.HTTPError(request.full_url, status, "error", {}, None)

    monkeypatch.setattr(sms.urllib.request, "urlopen", fail)
    with pytest.raises(sms.SMSError) as error:
        twilio.send(to="+12025550143", body="Hi")
    assert error.value.transient is transient
    assert "+12025550143" not in str(error.value)


def test_an_unreachable_provider_is_transient(twilio, monkeypatch):
    def fail(request, timeout):
        raise urllib.error.URLError("connection refused")

    monkeypatch.setattr(sms.urllib.request, "urlopen", fail)
    with pytest.raises(sms.SMSError) as error:
        twilio.send(to="+12025550143", body="Hi")
    assert error.value.transient


def test_the_file_backend_writes_one_file_per_message(settings, tmp_path):
    settings.SMS_FILE_PATH = str(tmp_path)
    message_id = sms.FileBackend().send(to="+12025550143", body="Hello")
    (written,) = tmp_path.iterdir()
    assert written.name == f"{message_id}.txt"
    assert written.read_text() == "To: +12025550143\n\nHello\n"
