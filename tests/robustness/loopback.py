"""Loopback servers shared by the network robustness tests: bound to 127.0.0.1, bounded in time, and
stopping by themselves (and at once when the test sets ``stop``)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time


def trickle_server(stop: threading.Event, payload: bytes, interval: float = 0.2, seconds: float = 6.0) -> str:
    """Answers each connection with ``payload`` one byte every ``interval`` s (status line and headers too),
    never a 1 s silence, and hangs up after ``seconds``: an old client ends there instead of hanging."""
    sock = socket.create_server(("127.0.0.1", 0))

    def drip(conn):
        with conn:
            conn.settimeout(1)
            with contextlib.suppress(OSError):
                conn.recv(65536)  # the request
            end = time.monotonic() + seconds
            for i in range(len(payload)):
                if stop.wait(interval) or time.monotonic() > end:
                    return
                with contextlib.suppress(OSError):
                    conn.sendall(payload[i:i + 1])

    def serve():
        sock.settimeout(0.2)
        end = time.monotonic() + 30
        while not stop.is_set() and time.monotonic() < end:
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            threading.Thread(target=drip, args=(conn,), daemon=True).start()
        sock.close()

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{sock.getsockname()[1]}"
