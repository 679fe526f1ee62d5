"""fetch-data against a real HTTP server on 127.0.0.1 serving a temp dir as <owner>/<repo>/<commit>/<path>."""

import hashlib
import http.server
import threading
from functools import partial
from pathlib import Path

import pytest

from ecomlib.cli import main
from ecomlib.errors import DataError
from ecomlib.sources.fetch import fetch, file_url
from ecomlib.sources.registry import PinnedFile, files_of

NON_ASCII = "V2原版/SemEval'14 & Co/Laptop v2.xml"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _pin(path: str, data: bytes) -> PinnedFile:
    return PinnedFile(group="Test", repo="own/repo", commit="c" * 40, path=path, bytes=len(data),
                      sha256=hashlib.sha256(data).hexdigest(), lang="en", data_type="review", license="MIT")


def _serve(root: Path, f: PinnedFile, data: bytes) -> None:
    p = root / f.repo / f.commit / f.path
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)


def _leftovers(dest: Path) -> list[str]:
    return sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file())


def test_url_quotes_non_ascii_paths():
    f = _pin(NON_ASCII, b"x")
    assert file_url(f, "https://raw.githubusercontent.com/") == (
        "https://raw.githubusercontent.com/own/repo/" + "c" * 40 + "/V2%E5%8E%9F%E7%89%88/SemEval%2714%20%26%20Co/Laptop%20v2.xml")


def test_downloads_verifies_and_skips_valid(server, tmp_path):
    root, url = server
    files = [_pin(NON_ASCII, b"<xml>one</xml>\n" * 5000), _pin("data/b.jsonl", b'{"a": 1}\n')]
    for f, data in zip(files, [b"<xml>one</xml>\n" * 5000, b'{"a": 1}\n']):
        _serve(root, f, data)
    dest = tmp_path / "dest"
    res = fetch(dest, files, base=url, show_progress=False)
    assert res.downloaded == [f.rel_path for f in files] and res.skipped == []
    assert (dest / "own/repo" / NON_ASCII).read_bytes() == b"<xml>one</xml>\n" * 5000
    assert _leftovers(dest) == sorted(f.rel_path for f in files)
    # present and valid -> skipped, even when the server no longer has them
    for p in (root / "own").rglob("*"):
        if p.is_file():
            p.unlink()
    res = fetch(dest, files, base=url, show_progress=False)
    assert res.downloaded == [] and len(res.skipped) == 2


def test_invalid_local_copy_is_replaced(server, tmp_path):
    root, url = server
    f = _pin("a.txt", b"good data\n")
    _serve(root, f, b"good data\n")
    dest = tmp_path / "dest"
    (dest / "own/repo").mkdir(parents=True)
    (dest / "own/repo/a.txt").write_bytes(b"bad data!\n")  # same size, wrong hash
    assert fetch(dest, [f], base=url, show_progress=False).downloaded == ["own/repo/a.txt"]
    assert (dest / "own/repo/a.txt").read_bytes() == b"good data\n"


@pytest.mark.parametrize("case", ["wrong_hash", "truncated", "missing"])
def test_bad_downloads_raise_and_leave_nothing(server, tmp_path, case):
    root, url = server
    data = b"pinned content\n" * 100
    f = _pin(NON_ASCII, data)
    if case == "wrong_hash":
        _serve(root, f, data[:-2] + b"X\n")
    elif case == "truncated":
        _serve(root, f, data[: len(data) // 2])
    dest = tmp_path / "dest"
    with pytest.raises(DataError) as exc:
        fetch(dest, [f], base=url, show_progress=False)
    msg = str(exc.value)
    assert f.rel_path in msg
    expected = {"wrong_hash": "differs from the pinned", "truncated": "truncated", "missing": "HTTP 404"}[case]
    assert expected in msg
    assert _leftovers(dest) == []


def test_cli_only_source_with_env_base_url(server, tmp_path, monkeypatch, capsys):
    root, url = server
    eprstmt = files_of("Eprstmt")
    for f in eprstmt:  # served with wrong content: the CLI must stop with a clear error
        _serve(root, f, b"not the pinned file\n")
    monkeypatch.setenv("ECOMLIB_FETCH_BASE_URL", url)
    dest = tmp_path / "dest"
    rc = main(["fetch-data", "--dest", str(dest), "--only", "Eprstmt", "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 2 and "CLUEbenchmark/FewCLUE/datasets/eprstmt/" in err and "bytes" in err
    assert _leftovers(dest) == []
    assert main(["fetch-data", "--dest", str(dest), "--only", "Nope"]) == 2
    assert main(["fetch-data", "--dest", str(dest), "--only", "Eprstmt", "--check"]) == 1


def test_cli_fetches_real_pinned_files(server, tmp_path, data_dir, capsys):
    """With the real data: serve the pinned Eprstmt files and fetch them with their real hashes."""
    root, url = server
    for f in files_of("Eprstmt"):
        _serve(root, f, f.local(data_dir).read_bytes())
    dest = tmp_path / "dest"
    assert main(["fetch-data", "--dest", str(dest), "--only", "Eprstmt", "--base-url", url, "--no-progress"]) == 0
    assert "fetched 3 files" in capsys.readouterr().out
    assert main(["fetch-data", "--dest", str(dest), "--only", "Eprstmt", "--check"]) == 0
    assert main(["fetch-data", "--dest", str(dest), "--only", "Eprstmt", "--base-url", url, "--no-progress"]) == 0
    assert "0 files, 3 already valid" in capsys.readouterr().out


NEW_GROUPS = ("AbtBuy", "AmazonGoogle", "WDCProducts", "ChineseAddress", "CCKSAddress", "HINT3Curekart",
              "HINT3Sofmattress", "Bitext", "AdvertiseGen", "WANDS", "semiPQA", "ChineseEcomQA")  # issue #17


def test_new_sources_are_fetched_by_commit_the_removed_bitext_file_included():
    (bitext,) = [f for f in files_of("Bitext") if f.path.endswith(".csv")]
    assert file_url(bitext, "https://h").startswith("https://h/shxunxk/Chatbot/1e2b735488fbaa376f055533797ea003bb34a4e3/")
    assert all(files_of(g) for g in NEW_GROUPS)


def test_cli_fetches_the_new_sources(server, tmp_path, data_dir, capsys):
    """With the real data: the 31 files of #17 served by commit, fetched and verified by their pins."""
    root, url = server
    files = [f for g in NEW_GROUPS for f in files_of(g)]
    for f in files:
        _serve(root, f, f.local(data_dir).read_bytes())
    dest = tmp_path / "dest"
    only = [a for g in NEW_GROUPS for a in ("--only", g)]
    assert main(["fetch-data", "--dest", str(dest), *only, "--base-url", url, "--no-progress"]) == 0
    assert f"fetched {len(files)} files" in capsys.readouterr().out and len(files) == 31
    assert main(["fetch-data", "--dest", str(dest), *only, "--check"]) == 0


EVAL_FIXTURE = Path(__file__).parents[1] / "evaluation" / "fixtures" / "ecom_instruct_v1"


def test_registry_pins_the_whole_published_suite():
    from ecomlib.sources.published_eval import ECOMGPT_PUBLISHED_TASKS
    from ecomlib.sources.registry import EVAL_GROUP, eval_folder

    evals = files_of(EVAL_GROUP)
    assert len(evals) == 26 and {f.repo for f in evals} == {"Alibaba-NLP/EcomGPT"}
    assert sorted({eval_folder(f) for f in evals}) == sorted(ECOMGPT_PUBLISHED_TASKS)
    for folder in ECOMGPT_PUBLISHED_TASKS:  # each folder: its meta-info.json and its test.json
        assert sorted(f.path.rsplit("/", 1)[1] for f in evals if eval_folder(f) == folder) == ["meta-info.json", "test.json"]


def test_cli_fetches_the_26_evaluation_files_and_the_suite_loads(server, tmp_path, monkeypatch, capsys):
    """The 26 pins re-pointed at the hand-made fixture folders (same paths, their own size and hash)."""
    import dataclasses

    from ecomlib.evaluation import load_suite
    from ecomlib.commands import fetch_data
    from ecomlib.sources.registry import EVAL_GROUP

    root, url = server
    pins = []
    for f in files_of(EVAL_GROUP):
        data = (EVAL_FIXTURE / f.path.split("ecom_instruct_v1/", 1)[1]).read_bytes()
        pin = dataclasses.replace(f, bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
        _serve(root, pin, data)
        pins.append(pin)
    monkeypatch.setattr(fetch_data, "FILES", tuple(pins))
    dest = tmp_path / "dest"
    assert main(["fetch-data", "--dest", str(dest), "--only", EVAL_GROUP, "--base-url", url, "--no-progress"]) == 0
    assert "fetched 26 files" in capsys.readouterr().out
    assert len(_leftovers(dest)) == 26
    from ecomlib.sources.verify import UNPINNED_MARKER

    # the suite reader checks the registry's real pins; these are the fixtures' bytes, so say so
    (dest / UNPINNED_MARKER).write_text("fixture bytes fetched under re-pointed pins\n")
    assert len({i.task for i in load_suite("ecomgpt", dest)}) == 13  # the fetched layout is the suite's
    (dest / UNPINNED_MARKER).unlink()
    assert main(["fetch-data", "--dest", str(dest), "--only", EVAL_GROUP, "--check"]) == 0


def test_check_reports_training_and_optional_evaluation_files_apart(tmp_path, capsys):
    """A complete training folder without the optional evaluation folders is valid (#24: it said
    '72/94 files valid' and exited 1); asking for an evaluation folder with --only makes it required."""
    import dataclasses
    import shutil
    import unittest.mock

    from ecomlib.commands import fetch_data
    from ecomlib.sources.registry import EVAL_GROUP

    src = tmp_path / "src"
    pins = []
    for i, f in enumerate([*files_of("Eprstmt"), *files_of(EVAL_GROUP)[:2]]):
        data = f"file {i}\n".encode()
        pins.append(dataclasses.replace(f, bytes=len(data), sha256=hashlib.sha256(data).hexdigest()))
        f_path = pins[-1].local(src)
        f_path.parent.mkdir(parents=True, exist_ok=True)
        f_path.write_bytes(data)
    dest = tmp_path / "dest"
    for f in pins:
        if f.use != "eval":  # the training files only
            f.local(dest).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(f.local(src), f.local(dest))

    with unittest.mock.patch.object(fetch_data, "FILES", tuple(pins)):
        assert main(["fetch-data", "--dest", str(dest), "--check"]) == 0
        out = capsys.readouterr().out
        assert "training files (Eprstmt): 3/3 valid" in out
        assert "optional evaluation files (EcomGPTEval): 0/2 valid" in out and "not fetched: optional" in out
        assert ": missing" not in out
        assert main(["fetch-data", "--dest", str(dest), "--only", EVAL_GROUP, "--check"]) == 1
        assert out.count(": missing") == 0 and capsys.readouterr().out.count(": missing") == 2
        corrupt = pins[-1].local(dest)  # present but corrupt: an error even when optional
        corrupt.parent.mkdir(parents=True, exist_ok=True)
        corrupt.write_bytes(b"x")
        assert main(["fetch-data", "--dest", str(dest), "--check"]) == 1
        assert "bytes, expected" in capsys.readouterr().out
