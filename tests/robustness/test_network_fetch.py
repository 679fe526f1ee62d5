"""fetch-data against servers that stall or drip, and after a SIGKILLed fetch (loopback servers only).

Before: the socket timeout (60 s) bounded each wait only and ``read(64 KiB)`` waited for a full chunk, so a
server sending one byte every 20 s kept a fetch going for hours; a SIGKILLed fetch left its ``.part``
temporary forever. Each server here ends its answer after a few seconds, so the old code finishes the
download (and the tests fail) instead of hanging.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ecomlib.config import REPO_ROOT
from ecomlib.errors import ConfigError, DataError
from ecomlib.sources.fetch import download, fetch, timeout_from_env
from ecomlib.sources.registry import PinnedFile
from tests.robustness.loopback import trickle_server

DATA = b"pinned content\n" * 4  # 60 bytes
PIN = dict(group="Test", repo="own/repo", commit="c" * 40, path="dir/a.txt", bytes=len(DATA),
           sha256=hashlib.sha256(DATA).hexdigest(), lang="en", data_type="review", license="MIT")


def _serve(mode: str, stop: threading.Event):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(200)
            if mode == "endless":  # no length (HTTP/1.0: the body ends at close); zeros after the file, ~5 s
                self.end_headers()
                end = time.monotonic() + 5
                with contextlib.suppress(OSError):  # the client hangs up
                    self.wfile.write(DATA)
                    while time.monotonic() < end and not stop.is_set():
                        self.wfile.write(bytes(1 << 16))
                return
            self.send_header("Content-Length", str(len(DATA)))
            self.end_headers()
            self.wfile.flush()
            if mode == "stall":  # headers, then silence for 5 s, then the whole body
                stop.wait(5)
                self.wfile.write(DATA)
            elif mode == "drip":  # one byte every 0.1 s: 6 s for the file, never a 1 s silence
                for i in range(len(DATA)):
                    if stop.wait(0.1):
                        return
                    self.wfile.write(DATA[i:i + 1])
                    self.wfile.flush()
            else:
                self.wfile.write(DATA)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


@pytest.fixture
def server():
    stop = threading.Event()
    started = []

    def start(mode: str) -> str:
        httpd, url = _serve(mode, stop)
        started.append(httpd)
        return url

    yield start
    stop.set()
    for httpd in started:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def stop():
    event = threading.Event()
    yield event
    event.set()


def _files(dest: Path) -> list[str]:
    return sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file())


def test_stalled_server_fails_after_the_stall_timeout(server, tmp_path, monkeypatch):
    monkeypatch.setenv("ECOMLIB_FETCH_STALL_TIMEOUT", "1")
    f = PinnedFile(**PIN)
    url = server("stall")
    with pytest.raises(DataError) as err:
        fetch(tmp_path, [f], base=url, show_progress=False)
    msg = str(err.value)
    assert msg.startswith(f"{f.rel_path}: no data from {url}/own/repo/") and "for 1 s" in msg
    assert "ECOMLIB_FETCH_STALL_TIMEOUT" in msg
    assert _files(tmp_path) == []


def test_dripping_server_fails_after_the_file_timeout(server, tmp_path):
    f = PinnedFile(**PIN)
    url = server("drip")
    with pytest.raises(DataError) as err:
        fetch(tmp_path, [f], base=url, show_progress=False, stall_timeout=1, file_timeout=1)
    msg = str(err.value)
    assert msg.startswith(f"{f.rel_path}: download from {url}/own/repo/") and "took over 1 s" in msg
    assert f"of {len(DATA)} bytes" in msg and "ECOMLIB_FETCH_FILE_TIMEOUT" in msg
    assert _files(tmp_path) == []


def test_timeouts_from_the_environment_are_checked(monkeypatch):
    assert timeout_from_env("ECOMLIB_FETCH_STALL_TIMEOUT", 30.0) == 30.0
    for bad in ("0", "-1", "inf", "nan", "soon"):
        monkeypatch.setenv("ECOMLIB_FETCH_STALL_TIMEOUT", bad)
        with pytest.raises(ConfigError, match=r"\$ECOMLIB_FETCH_STALL_TIMEOUT=.*positive number of seconds"):
            timeout_from_env("ECOMLIB_FETCH_STALL_TIMEOUT", 30.0)


KILLED_FETCH = """
import json, sys
from pathlib import Path
from ecomlib.sources.fetch import fetch
from ecomlib.sources.registry import PinnedFile
from tests.robustness.loopback import trickle_server
fetch(Path(sys.argv[1]), [PinnedFile(**json.loads(sys.argv[2]))], base=sys.argv[3], show_progress=False)
"""


def test_part_file_of_a_killed_fetch_is_removed_by_the_next(server, tmp_path):
    f = PinnedFile(**PIN)
    dest = tmp_path / "dest"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", KILLED_FETCH, str(dest), json.dumps(PIN), server("stall")], env=env)
    try:
        deadline = time.monotonic() + 60
        while not list(dest.rglob("*.part")) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    left = _files(dest)
    assert len(left) == 1 and left[0].startswith("own/repo/dir/.a.txt.") and left[0].endswith(".part"), left
    # a temporary of a live fetch (this process) and a user's own .part file are not ours to remove
    live = f.local(dest).with_name(f".a.txt.{os.getpid()}.abc123.part")
    live.write_bytes(b"x")
    user = f.local(dest).with_name("notes.part")
    user.write_bytes(b"mine")
    res = fetch(dest, [f], base=server("ok"), show_progress=False)
    assert res.downloaded == [f.rel_path]
    assert _files(dest) == sorted(["own/repo/dir/a.txt", str(live.relative_to(dest)), str(user.relative_to(dest))])


def test_trickled_status_line_and_headers_fail_at_the_file_timeout(stop, tmp_path):
    """Before: the deadline was checked only between body reads, and each byte of the status line and
    headers came within the stall limit, so the fetch waited as long as the server went on (issue #23)."""
    f = PinnedFile(**PIN)
    url = trickle_server(stop, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nX-Pad: %s\r\n\r\n" % (len(DATA), b"p" * 20) + DATA)
    start = time.monotonic()
    with pytest.raises(DataError) as err:
        fetch(tmp_path, [f], base=url, show_progress=False, stall_timeout=1, file_timeout=1.5)
    assert time.monotonic() - start < 4
    msg = str(err.value)
    assert msg.startswith(f"{f.rel_path}: download from {url}/own/repo/") and "took over 1.5 s (0 of 60 bytes" in msg
    assert _files(tmp_path) == []


def test_response_longer_than_the_pin_is_cut_one_byte_over(server, tmp_path):
    """Before: a mirror sending more than the pinned size was read to its end (62 MB for a 2 kB file)."""
    f = PinnedFile(**PIN)
    url = server("endless")
    read = []

    class Count:
        def update(self, n):
            read.append(n)

    start = time.monotonic()
    with pytest.raises(DataError) as err:
        download(f, tmp_path, url, stall_timeout=2, file_timeout=3, progress=Count())
    assert time.monotonic() - start < 3
    assert str(err.value) == (f"{f.rel_path}: {url}/own/repo/{'c' * 40}/dir/a.txt sends more than the pinned "
                              f"{len(DATA)} bytes (stopped one byte over; a changed file or a wrong mirror)")
    assert sum(read) == len(DATA) + 1
    assert _files(tmp_path) == []  # no .part left


def test_credentials_in_the_mirror_url_are_refused_and_not_echoed(tmp_path):
    """Before: urllib took 'me:SECRET@127.0.0.1' for the host name and the error echoed the whole URL."""
    with pytest.raises(ConfigError) as err:
        fetch(tmp_path, [PinnedFile(**PIN)], base="http://me:SECRET@127.0.0.1:9", show_progress=False)
    assert str(err.value) == ("mirror http://***@127.0.0.1:9 (--base-url or $ECOMLIB_FETCH_BASE_URL): "
                              "credentials in the URL are not supported")
