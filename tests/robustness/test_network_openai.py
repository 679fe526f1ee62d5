"""The OpenAI-compatible client against endpoints that never answer, drip, or fail (loopback only).

Before: the 60 s socket timeout was retried twice, so an endpoint that accepted the connection and never
answered took 3 x 60 s + back-off = 183 s to fail, with no way to shorten it, and a body dripped a byte at
a time was never cut off. Here each server gives up after about 5 s, so the old code ends (and the tests
fail) instead of hanging.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading

import pytest

from ecomlib.errors import ConfigError
from ecomlib.evaluation.openai_chat import ChatClient, EndpointError

ANSWER = json.dumps({"choices": [{"message": {"content": "positive"}}]}).encode()


@pytest.fixture
def stop():
    event = threading.Event()
    yield event
    event.set()


def _silent_server(stop: threading.Event) -> tuple[str, list]:
    """Accepts connections, reads the request, answers nothing; closes each after 5 s."""
    sock = socket.create_server(("127.0.0.1", 0))
    accepted = []

    def hold(conn):
        with conn:
            stop.wait(5)

    def serve():
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            accepted.append(conn)
            threading.Thread(target=hold, args=(conn,), daemon=True).start()
        sock.close()

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{sock.getsockname()[1]}", accepted


def _http_server(stop: threading.Event, answers: list):
    """Each POST takes the next mode from ``answers``: an HTTP status to fail with, "ok" or "drip"."""
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            mode = answers[min(len(requests), len(answers) - 1)]
            requests.append(mode)
            if isinstance(mode, int):
                self.send_error(mode)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(ANSWER)))
            self.end_headers()
            if mode == "ok":
                self.wfile.write(ANSWER)
                return
            for i in range(len(ANSWER)):  # ~5 s in all, never a 1 s silence
                if stop.wait(5 / len(ANSWER)):
                    return
                self.wfile.write(ANSWER[i:i + 1])
                self.wfile.flush()

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/v1", requests


def test_endpoint_that_never_answers_fails_after_the_timeout_without_retrying(stop, monkeypatch):
    monkeypatch.setenv("ECOMLIB_OPENAI_TIMEOUT", "1")
    url, accepted = _silent_server(stop)
    client = ChatClient("gpt-test", base_url=url, api_key="")
    with pytest.raises(EndpointError) as err:
        client.complete("Is this review positive?", 4)
    assert str(err.value) == f"{url}/v1/chat/completions: no answer within 1 s ($ECOMLIB_OPENAI_TIMEOUT sets the limit)"
    assert len(accepted) == 1  # a silent endpoint is not asked twice


def test_dripping_answer_is_cut_off_at_the_timeout(stop, monkeypatch):
    monkeypatch.setenv("ECOMLIB_OPENAI_TIMEOUT", "1")
    httpd, url, _ = _http_server(stop, ["drip"])
    try:
        with pytest.raises(EndpointError, match=r"no answer within 1 s"):
            ChatClient("gpt-test", base_url=url, api_key="").complete("x", 4)
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_server_errors_are_retried_a_bounded_number_of_times(stop, monkeypatch):
    httpd, url, requests = _http_server(stop, [503, 500, "ok"])
    try:
        assert ChatClient("m", base_url=url, api_key="", timeout=5).complete("x", 4) == "positive"
        assert requests == [503, 500, "ok"]
        requests.clear()
        monkeypatch.setenv("ECOMLIB_OPENAI_RETRIES", "0")
        with pytest.raises(EndpointError, match=r"no usable answer after 1 tries \(HTTP Error 503"):
            ChatClient("m", base_url=url, api_key="", timeout=5).complete("x", 4)
        assert requests == [503]
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize("name, value", [("ECOMLIB_OPENAI_TIMEOUT", "0"), ("ECOMLIB_OPENAI_TIMEOUT", "never"),
                                         ("ECOMLIB_OPENAI_TIMEOUT", "inf"), ("ECOMLIB_OPENAI_RETRIES", "-1"),
                                         ("ECOMLIB_OPENAI_RETRIES", "2.5")])
def test_bad_settings_are_refused(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=rf"\${name}='{value}': expected"):
        ChatClient("m", base_url="http://127.0.0.1:9")
