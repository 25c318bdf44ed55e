"""Live tests: a real WebSocket client (websockets) against the ASGI live server (tests/conftest.py)."""
import json
import time

import pytest
from websockets.sync.client import connect


class Socket:
    """A test's end of a socket: JSON in and out, waiting for a message of a given type."""

    def __init__(self, url, **kwargs):
        # entered as websockets asks (17.1 deprecated a bare sync connect()); left in close()
        self._connection = connect(url, open_timeout=10, **kwargs)
        self.ws = self._connection.__enter__()
        self.seen = []

    def send(self, message):
        self.ws.send(json.dumps(message))

    def recv(self, timeout=5.0):
        message = json.loads(self.ws.recv(timeout=timeout))
        self.seen.append(message)
        return message

    def wait_for(self, type_, timeout=5.0, where=lambda m: True):
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {type_} message within {timeout}s; saw {[m['type'] for m in self.seen]}")
            message = self.recv(timeout=left)
            if message["type"] == type_ and where(message):
                return message

    def drain(self, quiet=0.3):
        """Every message that arrives until the socket stays quiet for `quiet` seconds."""
        got = []
        while True:
            try:
                got.append(self.recv(timeout=quiet))
            except TimeoutError:
                return got

    def close(self):
        self._connection.__exit__(None, None, None)


@pytest.fixture
def ws(live_seoul):
    """Open sockets on the live server: ws(path, token=…, origin=…, headers=…); all closed after the test."""
    opened = []

    def open_(path, token=None, cookie=None, origin=None, headers=None):
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Token {token}"
        if cookie:
            headers["Cookie"] = cookie
        if origin:
            headers["Origin"] = origin
        socket = Socket(live_seoul.ws_url + path, additional_headers=headers)
        opened.append(socket)
        return socket

    yield open_
    for socket in opened:
        try:
            socket.close()
        except Exception:  # noqa: BLE001
            pass
