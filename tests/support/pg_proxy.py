"""A loopback TCP proxy in front of PostgreSQL that cuts a connection at its COMMIT.

What a failover, a pooler or a flaky network does to a transaction at its
most awkward moment, at the wire, so the app's real driver sees the real
error. ``cut_next_commit("before")`` drops the connection instead of passing
the next ``COMMIT`` on (the server rolls the transaction back);
``cut_next_commit("after")`` passes it on, waits for the server's
``CommandComplete`` (the transaction has landed) and drops the connection
instead of passing that answer back. Either way the client only sees a
connection that died during COMMIT.

psycopg sends COMMIT as a simple query ('Q' message); the proxy looks for
exactly that message (and the server's answer to it), so it needs the
connection unencrypted (``sslmode=disable``).
"""

import contextlib
import socket
import threading

COMMIT = b"Q\x00\x00\x00\x0bCOMMIT\x00"
COMMITTED = b"C\x00\x00\x00\x0bCOMMIT\x00"


class _Pair:
    def __init__(self, client: socket.socket, server: socket.socket):
        self.client, self.server = client, server
        self.cut_on_answer = False

    def close(self):
        for sock in (self.client, self.server):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


class PgProxy:
    def __init__(self, upstream_host: str, upstream_port: int):
        self.upstream = (upstream_host, upstream_port)
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.cuts: list[str] = []  # what was cut, in order: "before" / "after"
        self._armed: str | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def cut_next_commit(self, when: str) -> None:
        assert when in ("before", "after")
        with self._lock:
            self._armed = when

    @property
    def armed(self) -> bool:
        return self._armed is not None

    def start(self) -> "PgProxy":
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self.listener.close()

    def _take(self) -> str | None:
        with self._lock:
            armed, self._armed = self._armed, None
            return armed

    def _accept(self):
        while not self._stopping.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            pair = _Pair(client, socket.create_connection(self.upstream))
            threading.Thread(target=self._up, args=(pair,), daemon=True).start()
            threading.Thread(target=self._down, args=(pair,), daemon=True).start()

    def _up(self, pair: _Pair):
        """Client to server; the next COMMIT after ``cut_next_commit`` meets its fate here."""
        try:
            while data := pair.client.recv(65536):
                if COMMIT in data and (when := self._take()):
                    self.cuts.append(when)
                    if when == "before":
                        break
                    pair.cut_on_answer = True
                pair.server.sendall(data)
        except OSError:
            pass
        pair.close()

    def _down(self, pair: _Pair):
        """Server to client; an answer to a COMMIT that is to be cut never arrives."""
        try:
            while data := pair.server.recv(65536):
                if pair.cut_on_answer and COMMITTED in data:
                    break
                pair.client.sendall(data)
        except OSError:
            pass
        pair.close()
