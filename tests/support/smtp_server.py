"""A real SMTP server on a loopback port, in the test process (aiosmtpd).

``SMTPServer.refuse_rcpt`` makes it answer RCPT TO with a given reply (``451``
is "try again later" in RFC 5321, ``550`` a permanent refusal) that many times;
``hanging_smtp_server`` accepts connections and never says a word; ``hang_rcpt``
never answers RCPT TO for the addresses it names.
"""

import asyncio
import email
import email.policy
import re
import socket
import threading
from contextlib import contextmanager

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A free loopback port in 18000-18999 (kept apart from other test servers)."""
    import random

    for port in random.sample(range(18000, 19000), 1000):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18000-18999")


NOTIFICATION_ID = re.compile(r"\.n(\d+)@")


class _Handler:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.rcpt_replies: list[str] = []
        # Called with each message before "250": a fault to inject. If it returns a
        # reply, that is the answer and the message is not kept (never accepted).
        self.before_accepting = None
        # Seconds each message waits before its "250" (a real server's pace). If the
        # client goes away meanwhile, the message is never accepted, as on a real server.
        self.accept_delay = 0.0
        # Recipients whose RCPT TO is never answered (a hung server, for those only).
        self.hang_rcpt: set[str] = set()
        # The client's address and port of each accepted message: one per connection.
        self.peers: list[tuple] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.hang_rcpt:
            await asyncio.sleep(3600)  # until the client gives up (then cancelled)
        if self.rcpt_replies:
            return self.rcpt_replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        if self.accept_delay:
            await asyncio.sleep(self.accept_delay)  # cancelled if the client disconnects
        if self.before_accepting is not None and (reply := self.before_accepting(message)):
            return reply
        self.messages.append(message)
        self.peers.append(session.peer)
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self):
        self.handler = _Handler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        return self.handler.messages

    def notification_ids(self) -> list[int]:
        """The notification id of every message received (from our Message-ID), repeats kept."""
        return [int(NOTIFICATION_ID.search(m["Message-ID"]).group(1)) for m in self.messages]

    def refuse_rcpt(self, reply: str, times: int = 1) -> None:
        self.handler.rcpt_replies.extend([reply] * times)

    def settings(self) -> dict:
        """Django email settings that send here (what EMAIL_URL=smtp://127.0.0.1:<port> gives)."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
        }


@contextmanager
def smtp_server():
    server = SMTPServer()
    server.controller.start()
    try:
        yield server
    finally:
        server.controller.stop()


@contextmanager
def hanging_smtp_server():
    """Accepts TCP connections and never answers (no greeting): a hung mail server."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", free_port()))
    listener.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=2)
        for conn in accepted:
            conn.close()
        listener.close()
