"""User errors end in ONE clear line naming the file / line / key, exit code 2, no traceback, no output.

Already covered elsewhere, so not repeated here:
- tests/unit/test_config.py: ``load_profile`` messages for unknown keys, wrong types, impossible values,
  invalid YAML (in-process, the exception text only), and ``from_notebook(train={"epochs": "three"})``
  raising ConfigError -- re-checked here only as the first half of the papermill case.
- tests/unit/test_cli.py: one ``--set train.lr=abc`` override through the CLI.
- tests/evaluation/test_generation_cli.py: ``score --suite ecomgpt`` errors through ``main()``
  (missing / duplicate / unknown instance, invalid UTF-8).
- tests/sources/test_malformed.py, tests/sources/test_fetch.py: reader errors and download-time hash
  failures.

New here: the real ``ecomlib`` process (exit status, stderr is one line, no "Traceback", nothing
written) for a bad profile file, a broken JSON line and a duplicate in a predictions file on the
synthetic suite; the papermill path of a wrong-typed notebook parameter; ``fetch-data --check`` on a
corrupted copy of a real pinned file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ecomlib.config import REPO_ROOT, from_notebook
from ecomlib.errors import ConfigError
from ecomlib.evaluation import load_suite

BUILD = REPO_ROOT / "tests" / "evaluation" / "fixtures" / "build"  # a tiny build: ecominstruct/heldout.jsonl


def _ecomlib(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    return subprocess.run([sys.executable, "-m", "ecomlib", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=300)


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _one_error_line(out: subprocess.CompletedProcess, *needles: str) -> str:
    assert out.returncode == 2, (out.returncode, out.stderr)
    assert "Traceback" not in out.stderr, out.stderr
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, out.stderr
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


# --------------------------------------------------------------------------------------------------
# profile YAML: wrong key, wrong type

@pytest.mark.parametrize(
    "text, needles",
    [
        ("name: x\ntrain:\n  lrr: 0.1\n", ["unknown key 'train.lrr'", "expected one of"]),
        ("name: x\ntrain:\n  epochs: three\n", ["key 'train.epochs'", "expected a number", "'three'"]),
        ("name: x\nmodel:\n  ladder: 3\n", ["key 'model.ladder'", "expected a list"]),
    ],
    ids=["wrong-key", "wrong-type", "wrong-type-list"],
)
def test_bad_profile_yaml_via_cli(tmp_path, text, needles):
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    before = _files(tmp_path)
    out = _ecomlib("config", "--profile", str(bad), cwd=tmp_path)
    _one_error_line(out, str(bad), *needles)
    assert out.stdout == ""
    assert _files(tmp_path) == before


# --------------------------------------------------------------------------------------------------
# wrong-typed notebook parameter: from_notebook and papermill

def _kernel_registered() -> bool:
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        return "ecomlib" in KernelSpecManager().find_kernel_specs()
    except Exception:
        return False


def test_wrong_typed_notebook_parameter(tmp_path):
    with pytest.raises(ConfigError, match=r"train\.epochs.*expected a number, got 'three'"):
        from_notebook("smoke", train={"epochs": "three"})
    if not _kernel_registered():
        pytest.skip("the Jupyter kernel 'ecomlib' is not registered (source scripts/bootstrap.sh registers it)")
    work, results, nb_out = tmp_path / "work", tmp_path / "results", tmp_path / "out.ipynb"
    env = {**os.environ, "ECOMLIB_WORK_DIR": str(work), "ECOMLIB_RESULTS_DIR": str(results), "MPLBACKEND": "Agg",
           "PYTHONHASHSEED": "0"}
    out = subprocess.run(
        [sys.executable, "-m", "papermill", "notebooks/01_build_ecominstruct.ipynb", str(nb_out), "-k", "ecomlib",
         "--cwd", "notebooks", "-y", "{train: {epochs: three}}", "--log-level", "WARNING"],
        cwd=REPO_ROOT, capture_output=True, text=True, env=env, timeout=300,
    )
    assert out.returncode != 0
    err = out.stdout + out.stderr
    assert "ConfigError" in err and "key 'train.epochs': expected a number, got 'three'" in err, err[-3000:]
    # the profile is checked first: no stage ran, nothing was cached or saved
    assert not any(work.rglob("*")) and not any(results.rglob("*"))


# --------------------------------------------------------------------------------------------------
# predictions JSONL: a broken line, a duplicate (task, index)

def _predictions(rows: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


@pytest.mark.parametrize("defect", ["broken-line-2", "duplicate"])
def test_bad_predictions_file_via_cli(tmp_path, defect):
    rows = [{"task": i.task, "index": i.index, "prediction": i.gold} for i in load_suite("synthetic", BUILD)]
    assert len(rows) >= 3
    lines = _predictions(rows).splitlines(keepends=True)
    if defect == "broken-line-2":
        lines[1] = lines[1][: len(lines[1]) // 2] + "\n"  # truncated JSON object
        needles = ["preds.jsonl, line 2", "not valid JSON"]
    else:
        lines.append(lines[0])
        needles = [f"preds.jsonl, line {len(lines)}", "duplicate prediction", rows[0]["task"]]
    preds = tmp_path / "preds.jsonl"
    preds.write_text("".join(lines), encoding="utf-8")
    out_dir = tmp_path / "scores"
    args = ["score", "--suite", "synthetic", "--data-dir", str(BUILD), "--predictions", str(preds), "--out", str(out_dir)]
    _one_error_line(_ecomlib(*args, cwd=tmp_path), *needles)
    assert not (out_dir / "scores.json").exists() and not out_dir.exists()
    # the same file without the defect scores (so the failure above is the defect, nothing else)
    preds.write_text(_predictions(rows), encoding="utf-8")
    ok = _ecomlib(*args, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert (out_dir / "scores.json").is_file()


# --------------------------------------------------------------------------------------------------
# a data file with a wrong hash

@pytest.mark.realdata
def test_fetch_check_reports_wrong_hash(tmp_path, data_dir):
    from ecomlib.sources.registry import FILES

    group = "Eprstmt"  # three small JSON files (about 170 KB together)
    files = [f for f in FILES if f.group == group]
    dest = tmp_path / "data"
    for f in files:
        src = f.local(data_dir)
        if not src.is_file():
            pytest.skip(f"{src} is not in ECOMLIB_DATA_DIR")
        f.local(dest).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, f.local(dest))
    bad = min(files, key=lambda f: f.bytes)
    p = bad.local(dest)
    data = bytearray(p.read_bytes())
    data[len(data) // 2] ^= 0x01  # same size, different content
    p.write_bytes(bytes(data))
    before = _files(dest)

    out = _ecomlib("fetch-data", "--check", "--dest", str(dest), "--only", group, cwd=tmp_path)
    # --check is a verifier: it reports every bad file on its own line and exits 1 (as tests/sources/
    # test_fetch.py pins down), unlike the exit 2 of the other user errors.
    assert out.returncode == 1, (out.returncode, out.stdout, out.stderr)
    assert "Traceback" not in out.stderr and out.stderr == ""
    problems = [ln for ln in out.stdout.splitlines() if "valid under" not in ln]
    assert problems == [f"{bad.rel_path}: sha256 differs from the pinned {bad.sha256}"], out.stdout
    assert f"{len(files) - 1}/{len(files)} valid under" in out.stdout
    assert _files(dest) == before  # the check changes nothing: no deletion, no download, no new file
