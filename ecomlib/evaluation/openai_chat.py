"""The ChatGPT-like baseline: any OpenAI-compatible ``/v1/chat/completions`` endpoint, plain urllib.

Base URL from ``OPENAI_BASE_URL`` (default ``https://api.openai.com/v1``), key from ``OPENAI_API_KEY``.
Each prompt is one user message; temperature 0 for determinism as far as the endpoint allows.

Each request must be answered in full within ``$ECOMLIB_OPENAI_TIMEOUT`` seconds (default 60), connect,
status line and headers included (``ecomlib.net``); a request that times out is not retried (an endpoint
that does not answer in a minute rarely does on a second try). Server errors (5xx, 429) and dropped
connections are retried ``$ECOMLIB_OPENAI_RETRIES`` times (default 2).

What the client refuses, each with one line: a response over ``max_response_bytes(max_tokens)`` (read no
further than that: an endpoint ignoring ``max_tokens`` cannot fill the memory), a redirect (it is not
followed, so the request and its API key never reach another address; the line names the target host),
and credentials in the base URL (``http://user:key@host``: the key belongs in ``OPENAI_API_KEY``; the
URL is shown with ``***@``). An answer whose ``content`` is null (a refusal, a content filter) is scored
as an empty answer, and ``generate`` says how many there were (one warning line, and ``null_answers``).

With ``answers_file`` set, every answer is appended to it as it arrives (one JSON line, fsynced), keyed by
endpoint, model, ``max_tokens`` and the prompt's sha256; a rerun asks only for the prompts missing there,
so answers already paid for survive a failure later in the suite.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import math
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tqdm import tqdm

from ecomlib.errors import ConfigError, EcomlibError
from ecomlib.net import Deadline, redact_url, timeout_of, urlopen

TIMEOUT_ENV = "ECOMLIB_OPENAI_TIMEOUT"
RETRIES_ENV = "ECOMLIB_OPENAI_RETRIES"
DEFAULT_TIMEOUT = 60.0
DEFAULT_RETRIES = 2


def max_response_bytes(max_tokens: int) -> int:
    """The largest response accepted for a ``max_tokens`` request: room for the JSON envelope (usage,
    ids, ...) and 1 KiB per token, far above any real token (a token is a few characters)."""
    return 64 * 1024 + 1024 * max_tokens


class EndpointError(EcomlibError):
    """The chat endpoint failed or answered in an unexpected shape."""


def _env_number(name: str, default: float, low: float, high: float, kind: type = float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and low <= value <= high):
        what = "an integer" if kind is int else "a number of seconds"
        raise ConfigError(f"${name}={raw!r}: expected {what} in [{low:g}, {high:g}]")
    return value


class ChatClient:
    def __init__(self, model: str, base_url: str | None = None, api_key: str | None = None,
                 timeout: float | None = None, retries: int | None = None, answers_file: Path | None = None):
        self.model = model
        self.base_url = (base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1").rstrip("/")
        if "@" in urllib.parse.urlsplit(self.base_url).netloc:
            # urllib would take 'user:key@host' for the host name and echo it in its errors
            raise ConfigError(f"OPENAI_BASE_URL {redact_url(self.base_url)}: credentials in the URL are not "
                              "supported; put the key in OPENAI_API_KEY")
        self.api_key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY", "")
        self.timeout = timeout if timeout is not None else _env_number(TIMEOUT_ENV, DEFAULT_TIMEOUT, 1e-3, 3600)
        self.retries = retries if retries is not None else int(_env_number(RETRIES_ENV, DEFAULT_RETRIES, 0, 10, int))
        self.answers_file = answers_file
        self.null_answers = 0  # answers of the last generate() whose content was null

    @property
    def url(self) -> str:
        base = self.base_url if self.base_url.endswith("/v1") else self.base_url + "/v1"
        return base + "/chat/completions"

    def complete(self, prompt: str, max_tokens: int) -> str:
        """The answer to one prompt ("" when the endpoint's content is null)."""
        return self._ask(prompt, max_tokens) or ""

    def _ask(self, prompt: str, max_tokens: int) -> str | None:
        """The answer's content (None when null); EndpointError once the retries are spent."""
        body = json.dumps({
            "model": self.model, "messages": [{"role": "user", "content": prompt}],
            "temperature": 0, "max_tokens": max_tokens,
        }).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            req = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
            try:
                data = json.loads(self._answer(req, max_tokens).decode("utf-8"))
                break
            except urllib.error.HTTPError as exc:
                last = exc
                if 300 <= exc.code < 400:
                    raise EndpointError(self._redirect_message(exc)) from None
                if exc.code < 500 and exc.code != 429:
                    raise EndpointError(f"{self.url}: HTTP {exc.code} {exc.reason}") from None
            except (urllib.error.URLError, OSError, http.client.HTTPException, json.JSONDecodeError,
                    UnicodeDecodeError) as exc:
                if timeout_of(exc) is not None:
                    raise EndpointError(f"{self.url}: no answer within {self.timeout:g} s "
                                        f"(${TIMEOUT_ENV} sets the limit)") from None
                last = exc
            if attempt < self.retries:
                time.sleep(0.5 * 2**attempt)
        else:
            raise EndpointError(f"{self.url}: no usable answer after {self.retries + 1} tries ({last})")
        try:
            content = data["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise EndpointError(f"{self.url}: answer has no choices[0].message.content") from None
        return content if isinstance(content, str) else None

    def _redirect_message(self, exc: urllib.error.HTTPError) -> str:
        target = urllib.parse.urlsplit(urllib.parse.urljoin(self.url, exc.headers.get("Location") or ""))
        host = target.netloc.rsplit("@", 1)[-1] or "?"
        return (f"{self.url}: HTTP {exc.code} redirect to {host} not followed (the request and its API key go "
                "only to OPENAI_BASE_URL; set it to the final address if you trust that host)")

    def _answer(self, req: urllib.request.Request, max_tokens: int) -> bytes:
        """The whole response body, at most ``max_response_bytes``; TimeoutError once ``self.timeout`` has
        passed (connecting, status line, headers and body together: see ecomlib.net)."""
        limit = max_response_bytes(max_tokens)
        body = bytearray()
        with urlopen(req, Deadline(self.timeout), follow_redirects=False) as resp:
            while chunk := resp.read1(min(1 << 16, limit + 1 - len(body))):
                body += chunk
                if len(body) > limit:
                    raise EndpointError(f"{self.url}: response over {limit} bytes for a request of {max_tokens} "
                                        "tokens (does the endpoint ignore max_tokens?); refused")
        return bytes(body)

    def generate(self, prompts: list[str], *, max_new_tokens: int = 64, progress: bool = False, **_: object) -> list[str]:
        """One answer per prompt; those already in ``answers_file`` (for this endpoint, model and
        ``max_new_tokens``) are not asked again, and each new one is appended there as it arrives."""
        journal = AnswerJournal(self.answers_file, self, max_new_tokens) if self.answers_file else None
        answers: list[str | None] = []
        try:
            for p in tqdm(prompts, desc="chat", disable=not progress):
                if journal is not None and journal.has(p):
                    answers.append(journal.get(p))
                    continue
                answers.append(self._ask(p, max_new_tokens))
                if journal is not None:
                    journal.append(p, answers[-1])
        finally:
            if journal is not None:
                journal.close()
        self.null_answers = sum(a is None for a in answers)
        if self.null_answers:
            print(f"warning: {self.url}: {self.null_answers} of {len(answers)} answers have content null "
                  "(a refusal or a content filter?); they are scored as empty answers", file=sys.stderr)
        return [a or "" for a in answers]


class AnswerJournal:
    """Append-only JSON lines of answers already paid for; a line torn by a kill is cut off on open."""

    def __init__(self, path: Path, client: ChatClient, max_tokens: int):
        self.path = Path(path)
        self.key = {"endpoint": client.url, "model": client.model, "max_tokens": max_tokens}
        self.answers: dict[str, str | None] = {}
        self._fh = None  # opened at the first answer: a request failing at once leaves no empty file
        if self.path.exists():
            self._load()

    @staticmethod
    def _id(prompt: str) -> str:
        return hashlib.sha256(prompt.encode("utf-8")).hexdigest()

    def _load(self) -> None:
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):  # killed mid-line: drop the torn tail before appending
            data = data[:data.rfind(b"\n") + 1]
            os.truncate(self.path, len(data))
        for line in data.decode("utf-8", errors="replace").splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue  # a damaged line only costs asking that prompt again
            if (isinstance(row, dict) and all(row.get(k) == v for k, v in self.key.items())
                    and isinstance(row.get("answer"), (str, type(None)))):
                self.answers[row.get("prompt_sha256")] = row.get("answer")

    def has(self, prompt: str) -> bool:
        return self._id(prompt) in self.answers

    def get(self, prompt: str) -> str | None:
        return self.answers[self._id(prompt)]

    def append(self, prompt: str, answer: str | None) -> None:
        row = {**self.key, "prompt_sha256": self._id(prompt), "answer": answer}
        if self._fh is None:
            self._fh = open(self.path, "ab")  # the umask's mode, like every other output
        # ASCII escapes: an answer with a lone surrogate (valid JSON from the endpoint) still writes
        self._fh.write((json.dumps(row, sort_keys=True) + "\n").encode("ascii"))
        self._fh.flush()
        os.fsync(self._fh.fileno())  # paid for: on disk before the next request
        self.answers[row["prompt_sha256"]] = answer

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
