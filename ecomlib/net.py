"""HTTP(S) over ``urllib`` with one deadline for the whole exchange.

Every wait -- connect, TLS handshake, sending the request, the status line, each header line and each
body read -- gets at most what is left of one deadline (and at most ``stall`` seconds without a byte), so
a server that trickles its status line or headers a byte at a time is cut off like one that never answers.

Why this and not a library: the libraries installed here bound each socket wait, not the exchange.
urllib3's ``Timeout(total=...)`` "only measure[s] the time between read operations ... if a server streams
one byte every fifteen seconds, a timeout of 20 seconds will not trigger" (its own docs), and httpx's
timeouts are per operation too; neither is a declared dependency of ecomlib (both only come with
others). So the standard library's connection gets a socket whose every wait is shortened to the time
left (about 60 lines). urllib's proxy support is kept. Not bounded: the DNS lookup (``getaddrinfo``
ignores socket timeouts; the resolver's own limits apply).
"""

from __future__ import annotations

import functools
import http.client
import io
import socket
import time
import urllib.parse
import urllib.request


class DeadlineExceeded(TimeoutError):
    """The whole exchange took longer than its deadline (a stall alone is a plain TimeoutError)."""


class Deadline:
    """``total`` seconds from now for everything; each single wait at most ``stall`` seconds."""

    def __init__(self, total: float, stall: float | None = None):
        self.total = total
        self.stall = total if stall is None else stall
        self.end = time.monotonic() + total

    def expired(self) -> bool:
        return time.monotonic() >= self.end

    def wait(self) -> float:
        """Seconds the next socket operation may wait; DeadlineExceeded when none are left."""
        left = self.end - time.monotonic()
        if left <= 0:
            raise DeadlineExceeded(f"over {self.total:g} s")
        return min(self.stall, left)

    def bounded(self, op, *args):
        """Run one socket operation of ``op``'s socket under the time left; DeadlineExceeded when it runs out."""
        try:
            return op(*args)
        except TimeoutError:
            if self.expired():
                raise DeadlineExceeded(f"over {self.total:g} s") from None
            raise


class _DeadlineSocket:
    """Stands in for the connection's socket: each receive or send waits at most ``deadline.wait()``."""

    def __init__(self, sock: socket.socket, deadline: Deadline):
        self._sock = sock
        self._deadline = deadline

    def _call(self, op, *args):
        self._sock.settimeout(self._deadline.wait())
        return self._deadline.bounded(op, *args)

    def recv_into(self, *args):
        return self._call(self._sock.recv_into, *args)

    def recv(self, *args):
        return self._call(self._sock.recv, *args)

    def sendall(self, *args):  # since Python 3.5 the socket timeout bounds the whole sendall
        return self._call(self._sock.sendall, *args)

    def makefile(self, mode: str = "rb", *args, **kwargs):
        # http.client reads the status line, headers and body through this file: it must read via us
        if mode != "rb":
            raise ValueError(f"unsupported mode {mode!r}")
        raw = socket.SocketIO(self, "rb")
        self._sock._io_refs += 1  # as socket.makefile does: urllib closes the socket while the response reads on
        return io.BufferedReader(raw)

    def __getattr__(self, name: str):
        return getattr(self._sock, name)


class _Bounded:
    """Mixin for ``http.client`` connections: connect and TLS within the deadline, then wrap the socket."""

    def __init__(self, *args, deadline: Deadline, **kwargs):
        super().__init__(*args, **kwargs)
        self._deadline = deadline
        self._create_connection = self._connect_in_time

    def _connect_in_time(self, address, timeout=None, source_address=None):
        sock = self._deadline.bounded(socket.create_connection, address, self._deadline.wait(), source_address)
        sock.settimeout(self._deadline.wait())  # the TLS handshake that follows gets what is left
        return sock

    def connect(self):
        self._deadline.bounded(super().connect)
        self.sock = _DeadlineSocket(self.sock, self._deadline)


class _HTTPConnection(_Bounded, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_Bounded, http.client.HTTPSConnection):
    pass


_BOUNDED = {http.client.HTTPConnection: _HTTPConnection, http.client.HTTPSConnection: _HTTPSConnection}


class _Handler:
    def __init__(self, deadline: Deadline, **kwargs):
        super().__init__(**kwargs)
        self._deadline = deadline

    def do_open(self, http_class, req, **kwargs):
        return super().do_open(functools.partial(_BOUNDED[http_class], deadline=self._deadline), req, **kwargs)


class _HTTPHandler(_Handler, urllib.request.HTTPHandler):
    pass


class _HTTPSHandler(_Handler, urllib.request.HTTPSHandler):
    pass


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx answer is returned as an HTTPError (urllib's default handler raises it) instead of followed."""

    def redirect_request(self, *args, **kwargs):
        return None


def urlopen(req: urllib.request.Request | str, deadline: Deadline, follow_redirects: bool = True):
    """``urllib.request.urlopen`` with every wait of the exchange bounded by ``deadline``."""
    extra = [] if follow_redirects else [_NoRedirects()]
    opener = urllib.request.build_opener(_HTTPHandler(deadline), _HTTPSHandler(deadline), *extra)
    return opener.open(req, timeout=deadline.wait())


def timeout_of(exc: BaseException) -> TimeoutError | None:
    """The TimeoutError behind ``exc`` (urllib wraps those of the connect phase in URLError), or None."""
    for e in (exc, getattr(exc, "reason", None)):
        if isinstance(e, TimeoutError):
            return e
    return None


def redact_url(url: str) -> str:
    """``url`` with any credentials in it (``user:key@``) replaced by ``***@``, for messages."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urllib.parse.urlunsplit(parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]))
