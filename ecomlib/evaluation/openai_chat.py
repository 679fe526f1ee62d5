"""The ChatGPT-like baseline: any OpenAI-compatible ``/v1/chat/completions`` endpoint, plain urllib.

Base URL from ``OPENAI_BASE_URL`` (default ``https://api.openai.com/v1``), key from ``OPENAI_API_KEY``.
Each prompt is one user message; temperature 0 for determinism as far as the endpoint allows.

Each request must be answered in full within ``$ECOMLIB_OPENAI_TIMEOUT`` seconds (default 60); a request
that times out is not retried (an endpoint that does not answer in a minute rarely does on a second try).
Server errors (5xx, 429) and dropped connections are retried ``$ECOMLIB_OPENAI_RETRIES`` times (default 2).
"""

from __future__ import annotations

import json
import math
import os
import time
import urllib.error
import urllib.request

from tqdm import tqdm

from ecomlib.errors import ConfigError, EcomlibError

TIMEOUT_ENV = "ECOMLIB_OPENAI_TIMEOUT"
RETRIES_ENV = "ECOMLIB_OPENAI_RETRIES"
DEFAULT_TIMEOUT = 60.0
DEFAULT_RETRIES = 2


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
                 timeout: float | None = None, retries: int | None = None):
        self.model = model
        self.base_url = (base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1").rstrip("/")
        self.api_key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY", "")
        self.timeout = timeout if timeout is not None else _env_number(TIMEOUT_ENV, DEFAULT_TIMEOUT, 1e-3, 3600)
        self.retries = retries if retries is not None else int(_env_number(RETRIES_ENV, DEFAULT_RETRIES, 0, 10, int))

    @property
    def url(self) -> str:
        base = self.base_url if self.base_url.endswith("/v1") else self.base_url + "/v1"
        return base + "/chat/completions"

    def complete(self, prompt: str, max_tokens: int) -> str:
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
                data = json.loads(self._answer(req).decode("utf-8"))
                break
            except urllib.error.HTTPError as exc:
                last = exc
                if exc.code < 500 and exc.code != 429:
                    raise EndpointError(f"{self.url}: HTTP {exc.code} {exc.reason}") from None
            except (urllib.error.URLError, OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
                if isinstance(exc, TimeoutError) or isinstance(getattr(exc, "reason", None), TimeoutError):
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
        return content if isinstance(content, str) else ""

    def _answer(self, req: urllib.request.Request) -> bytes:
        """The whole response body, or TimeoutError once ``self.timeout`` has passed (also for a dripping body)."""
        deadline = time.monotonic() + self.timeout
        body = bytearray()
        with urllib.request.urlopen(req, timeout=self.timeout) as resp:
            while chunk := resp.read1(1 << 16):
                body += chunk
                if time.monotonic() > deadline:
                    raise TimeoutError
        return bytes(body)

    def generate(self, prompts: list[str], *, max_new_tokens: int = 64, progress: bool = False, **_: object) -> list[str]:
        return [self.complete(p, max_new_tokens) for p in tqdm(prompts, desc="chat", disable=not progress)]
