"""The OpenAI-compatible client against endpoints that never answer, drip, or fail (loopback only).

Before: the 60 s socket timeout was retried twice, so an endpoint that accepted the connection and never
answered took 3 x 60 s + back-off = 183 s to fail, with no way to shorten it, and a body dripped a byte at
a time was never cut off. Here each server gives up after about 5 s, so the old code ends (and the tests
fail) instead of hanging.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import socket
import threading
import time

import pytest

from ecomlib.errors import ConfigError
from ecomlib.evaluation.openai_chat import AnswerJournal, ChatClient, EndpointError, max_response_bytes
from tests.robustness.cli_helpers import BUILD, one_error_line, run_cli
from tests.robustness.loopback import trickle_server

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


def _http_server(stop: threading.Event, answers: list, seen: list | None = None):
    """Each POST takes the next mode from ``answers``: an HTTP status to fail with, "ok", "drip", "null"
    (content null), "huge" (a 30 MB answer) or ("redirect", code, location). Every request (method,
    path, Authorization header) is appended to ``seen``."""
    requests = []
    seen = [] if seen is None else seen

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            seen.append(("GET", self.path, self.headers.get("Authorization")))
            self.send_error(405)

        def do_POST(self):
            seen.append(("POST", self.path, self.headers.get("Authorization")))
            self.rfile.read(int(self.headers["Content-Length"]))
            mode = answers[min(len(requests), len(answers) - 1)]
            requests.append(mode)
            if isinstance(mode, int):
                self.send_error(mode)
                return
            if isinstance(mode, tuple):
                self.send_response(mode[1])
                self.send_header("Location", mode[2])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if mode in ("null", "huge"):
                self._send_json(None if mode == "null" else "a" * (30 << 20))
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

        def _send_json(self, content):
            data = json.dumps({"choices": [{"message": {"content": content}}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the client may hang up
                self.wfile.write(data)

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


@pytest.fixture
def http_server(stop):
    started = []

    def start(answers: list, seen: list | None = None):
        httpd, url, requests = _http_server(stop, answers, seen)
        started.append(httpd)
        return url, requests

    yield start
    stop.set()
    for httpd in started:
        httpd.shutdown()
        httpd.server_close()


def test_trickled_status_line_and_headers_fail_at_the_timeout(stop):
    """Before: the deadline was checked only between body reads; a status line and headers trickled a
    byte every 0.2 s kept the request going as long as the server went on (issue #23)."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(ANSWER)
    url = trickle_server(stop, head + ANSWER) + "/v1"
    start = time.monotonic()
    with pytest.raises(EndpointError) as err:
        ChatClient("m", base_url=url, api_key="", timeout=1.5, retries=0).complete("x", 4)
    assert time.monotonic() - start < 4
    assert str(err.value) == f"{url}/chat/completions: no answer within 1.5 s ($ECOMLIB_OPENAI_TIMEOUT sets the limit)"


def test_a_30_mb_answer_to_a_16_token_request_is_refused(http_server):
    url, requests = http_server(["huge"])
    start = time.monotonic()
    with pytest.raises(EndpointError) as err:
        ChatClient("m", base_url=url, api_key="", timeout=10).complete("x", 16)
    assert time.monotonic() - start < 3
    limit = max_response_bytes(16)
    assert limit < 1 << 20
    assert str(err.value) == (f"{url}/chat/completions: response over {limit} bytes for a request of 16 tokens "
                              "(does the endpoint ignore max_tokens?); refused")
    assert requests == ["huge"]  # not retried


def test_content_null_is_counted_and_reported(http_server, capsys):
    url, _ = http_server(["null", "ok", "null"])
    client = ChatClient("m", base_url=url, api_key="", timeout=5)
    assert client.generate(["a", "b", "c"], max_new_tokens=4) == ["", "positive", ""]
    assert client.null_answers == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"warning: {url}/chat/completions: 2 of 3 answers have content null (a refusal or a content "
                   "filter?); they are scored as empty answers")


def test_evaluate_records_the_null_answers_in_the_meta_file(http_server, monkeypatch, tmp_path, capsys):
    url, _ = http_server(["null"])
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    out = tmp_path / "out"
    rc, _, err = run_cli(capsys, "evaluate", "--model", "openai:m", "--suite", "synthetic", "--data-dir", BUILD,
                         "--out", out)
    n = len((out / "predictions.jsonl").read_text().splitlines())
    assert rc == 0 and f"{n} of {n} answers have content null" in err
    assert json.loads((out / "predictions.meta.json").read_text())["null_answers"] == n


@pytest.mark.parametrize("code", [301, 302, 307, 308])
def test_a_redirect_is_not_followed_and_the_key_never_reaches_its_target(http_server, code):
    """Before: a 302 was followed as a GET carrying ``Authorization: Bearer <key>`` to the new address."""
    other_seen: list = []
    other, _ = http_server(["ok"], other_seen)
    url, requests = http_server([("redirect", code, other + "/chat/completions")])
    with pytest.raises(EndpointError) as err:
        ChatClient("m", base_url=url, api_key="sk-SECRET", timeout=5).complete("x", 4)
    assert not any("sk-SECRET" in str(auth) for _, _, auth in other_seen)
    host = other.split("//", 1)[1].split("/", 1)[0]
    assert str(err.value) == (f"{url}/chat/completions: HTTP {code} redirect to {host} not followed (the request "
                              "and its API key go only to OPENAI_BASE_URL; set it to the final address if you "
                              "trust that host)")
    assert other_seen == [] and len(requests) == 1


def test_credentials_in_the_base_url_are_refused_and_never_echoed(monkeypatch, tmp_path, capsys):
    """Before: 'http://user:KEY@host' reached urllib, which took 'user:KEY@host' for the host name, and
    the error line showed the whole URL, key included."""
    monkeypatch.setenv("OPENAI_BASE_URL", "http://user:sk-SECRET@127.0.0.1:9/v1")
    with pytest.raises(ConfigError) as err:
        ChatClient("m").complete("x", 4)
    assert str(err.value) == ("OPENAI_BASE_URL http://***@127.0.0.1:9/v1: credentials in the URL are not "
                              "supported; put the key in OPENAI_API_KEY")
    rc, out, errs = run_cli(capsys, "evaluate", "--model", "openai:m", "--suite", "synthetic", "--data-dir", BUILD,
                            "--out", tmp_path / "out")
    one_error_line(rc, errs, "OPENAI_BASE_URL http://***@127.0.0.1:9/v1")
    assert "SECRET" not in out + errs
    assert not any("SECRET" in p.read_text() for p in tmp_path.rglob("*") if p.is_file())


def test_answers_paid_for_survive_a_failure_and_a_rerun_asks_only_for_the_missing(http_server, monkeypatch,
                                                                                    tmp_path, capsys):
    """Before: the third prompt failing for good discarded the two answers already paid for; a rerun
    asked for all of them again."""
    url, requests = http_server(["ok", "ok", 400, "ok"])
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    out = tmp_path / "out"
    argv = ["evaluate", "--model", "openai:m", "--suite", "synthetic", "--data-dir", BUILD, "--out", out]
    rc, _, err = run_cli(capsys, *argv)
    one_error_line(rc, err, "HTTP 400")
    assert not (out / "predictions.jsonl").exists()
    assert run_cli(capsys, *argv)[0] == 0
    n = len((out / "predictions.jsonl").read_text().splitlines())
    assert n > 3 and len(requests) == 3 + (n - 2)  # the rerun asked only for the n - 2 missing answers
    journal = out / "openai-answers.jsonl"
    assert len(journal.read_text().splitlines()) == n
    assert run_cli(capsys, *argv)[0] == 0 and len(requests) == 1 + n  # all kept: nothing asked again


def test_a_journal_line_torn_by_a_kill_is_dropped_and_a_user_file_is_not_appended_to(tmp_path, capsys, monkeypatch):
    client = ChatClient("m", base_url="http://127.0.0.1:9/v1", api_key="")
    path = tmp_path / "answers.jsonl"
    journal = AnswerJournal(path, client, 4)
    journal.append("a", "yes")
    journal.close()
    with open(path, "ab") as fh:
        fh.write(b'{"answer": "no", "endpo')  # killed mid-line
    journal = AnswerJournal(path, client, 4)
    assert journal.has("a") and journal.get("a") == "yes" and not journal.has("b")
    journal.append("b", None)
    journal.close()
    assert [json.loads(line)["answer"] for line in path.read_text().splitlines()] == ["yes", None]
    # an openai-answers.jsonl that evaluate did not write is the user's: refused, untouched
    out = tmp_path / "out"
    out.mkdir()
    (out / "openai-answers.jsonl").write_text("mine")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    rc, _, err = run_cli(capsys, "evaluate", "--model", "openai:m", "--suite", "synthetic", "--data-dir", BUILD,
                         "--out", out, "--overwrite")
    one_error_line(rc, err, f"{out / 'openai-answers.jsonl'} exists and was not written by `ecomlib evaluate`")
    assert (out / "openai-answers.jsonl").read_text() == "mine"
