"""The ChatGPT-like baseline: any OpenAI-compatible ``/v1/chat/completions`` endpoint, plain urllib.

Base URL from ``OPENAI_BASE_URL`` (default ``https://api.openai.com/v1``), key from ``OPENAI_API_KEY``.
Each prompt is one user message; temperature 0 for determinism as far as the endpoint allows.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request

from tqdm import tqdm

from ecomlib.errors import EcomlibError


class EndpointError(EcomlibError):
    """The chat endpoint failed or answered in an unexpected shape."""


class ChatClient:
    def __init__(self, model: str, base_url: str | None = None, api_key: str | None = None,
                 timeout: float = 60.0, retries: int = 2):
        self.model = model
        self.base_url = (base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1").rstrip("/")
        self.api_key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY", "")
        self.timeout, self.retries = timeout, retries

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
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    data = json.loads(resp.read().decode("utf-8"))
                break
            except urllib.error.HTTPError as exc:
                last = exc
                if exc.code < 500 and exc.code != 429:
                    raise EndpointError(f"{self.url}: HTTP {exc.code} {exc.reason}") from None
            except (urllib.error.URLError, TimeoutError, json.JSONDecodeError, UnicodeDecodeError) as exc:
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

    def generate(self, prompts: list[str], *, max_new_tokens: int = 64, progress: bool = False, **_: object) -> list[str]:
        return [self.complete(p, max_new_tokens) for p in tqdm(prompts, desc="chat", disable=not progress)]
