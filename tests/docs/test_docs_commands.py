"""Every command in docs/*.md runs: each ```bash / ```python block of a page, in order, in a fresh
folder laid out like the repository root, on the smoke profile with its cache in that folder.

A block preceded by ``<!-- realdata -->`` needs the real open data (``ECOMLIB_DATA_DIR``): it runs only
in the ``realdata`` test, after the page's other blocks. Chat endpoints are served by a local stand-in
(``OPENAI_BASE_URL``), so ``--model openai:<model>`` runs without a network.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import real_data_dir

REPO = Path(__file__).resolve().parents[2]
PAGES = sorted(p.name for p in (REPO / "docs").glob("*.md"))
FENCE = re.compile(r"^```(\w*)\s*$")
TAG = re.compile(r"^<!--\s*([\w\s]+?)\s*-->$")
LINKED = ("tests", "configs", "docs", "notebooks")  # read-only inputs the commands name by relative path


@dataclass
class Block:
    lang: str
    code: str
    line: int
    tags: frozenset


def blocks(page: Path) -> list[Block]:
    """The fenced bash/python blocks of a page, with the tags of an HTML comment just above each."""
    out, lines = [], page.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        start, body = i, []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i])
            i += 1
        assert i < len(lines), f"{page.name}, line {start + 1}: unclosed code fence"
        prev = next((lines[j].strip() for j in range(start - 1, -1, -1) if lines[j].strip()), "")
        tag = TAG.match(prev)
        if m.group(1) in ("bash", "python"):
            out.append(Block(m.group(1), "\n".join(body) + "\n", start + 1,
                             frozenset(tag.group(1).split()) if tag else frozenset()))
        i += 1
    return out


class _ChatStandIn(BaseHTTPRequestHandler):
    """Answers /v1/chat/completions with the first candidate label of the prompt, else "ok"."""

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        prompt = body["messages"][0]["content"]
        m = re.search(r"^Candidate labels: ([^,\n]+)", prompt, re.M)
        answer = m.group(1) if m else "ok"
        data = json.dumps({"choices": [{"message": {"role": "assistant", "content": answer}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def chat_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ChatStandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def _env(root: Path, chat_url: str, data_dir: Path | None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ECOMLIB_", "OPENAI_"))}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}", PYTHONPATH=str(REPO),
        ECOMLIB_PROFILE="smoke", ECOMLIB_WORK_DIR=str(root / ".work"), ECOMLIB_RESULTS_DIR=str(root / "results"),
        PYTHONHASHSEED="0", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_DATASETS_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false", MPLBACKEND="Agg", OPENAI_BASE_URL=chat_url, OPENAI_API_KEY="test-key",
    )
    if data_dir is not None:
        env["ECOMLIB_DATA_DIR"] = str(data_dir)
    return env


def _workspace(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name in LINKED:
        (root / name).symlink_to(REPO / name, target_is_directory=True)
    return root


def run_blocks(page: str, root: Path, env: dict, which) -> int:
    ran = 0
    for b in blocks(REPO / "docs" / page):
        if not which(b):
            continue
        cmd = ["bash", "-euo", "pipefail", "-c", b.code] if b.lang == "bash" else [sys.executable, "-c", b.code]
        proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, (
            f"docs/{page}, block at line {b.line} exited {proc.returncode}\n--- code\n{b.code}"
            f"--- stdout\n{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-4000:]}")
        ran += 1
    return ran


def test_parser_reads_fences_and_tags(tmp_path):
    page = tmp_path / "p.md"
    page.write_text("text\n```bash\necho a\n```\n\n<!-- realdata -->\n```python\nprint(1)\n```\n```yaml\nk: v\n```\n")
    got = blocks(page)
    assert [(b.lang, b.code, b.tags) for b in got] == [("bash", "echo a\n", frozenset()),
                                                      ("python", "print(1)\n", frozenset({"realdata"}))]


def test_every_page_has_commands():
    assert {"records_and_sources.md", "tasks_and_cot.md", "evaluate_your_model.md",
            "export_ecominstruct.md"} <= set(PAGES)
    for page in PAGES:
        assert any(b.lang == "bash" for b in blocks(REPO / "docs" / page)), page


def test_a_failing_command_fails_the_page(tmp_path, chat_url, monkeypatch):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "bad.md").write_text("```bash\ntrue\nfalse\necho never\n```\n")
    monkeypatch.setattr(sys.modules[__name__], "REPO", tmp_path)
    with pytest.raises(AssertionError, match="block at line 1 exited 1"):
        run_blocks("bad.md", tmp_path, _env(tmp_path, chat_url, None), lambda b: True)


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_page_commands_run(page, tmp_path, chat_url):
    root = _workspace(tmp_path / "repo")
    assert run_blocks(page, root, _env(root, chat_url, None), lambda b: "realdata" not in b.tags) > 0


@pytest.mark.slow
@pytest.mark.realdata
@pytest.mark.parametrize("page", [p for p in PAGES if any("realdata" in b.tags for b in blocks(REPO / "docs" / p))])
def test_page_realdata_commands_run(page, tmp_path, chat_url):
    data_dir = real_data_dir()
    root = _workspace(tmp_path / "repo")
    env = _env(root, chat_url, data_dir)
    run_blocks(page, root, env, lambda b: "realdata" not in b.tags)
    assert run_blocks(page, root, env, lambda b: "realdata" in b.tags) > 0
