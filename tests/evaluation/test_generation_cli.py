import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from ecomlib.cli import main
from ecomlib.config import EvalConfig
from ecomlib.evaluation import evaluate_model, generate, load_suite
from ecomlib.evaluation.scoring import table_row
from ecomlib.sources.published_eval import find_ecomgpt_tasks

BUILD = Path(__file__).parent / "fixtures" / "build"
ECOMGPT = Path(__file__).parent / "fixtures" / "ecom_instruct_v1"


def _prompts():
    return [i.prompt for i in load_suite("synthetic", BUILD)] + ["short", "x " * 300]


@pytest.mark.parametrize("num_beams", [1, 2])
def test_batched_equals_one_at_a_time(tiny_lm, num_beams):
    model, tok, _ = tiny_lm
    prompts = _prompts()
    kw = dict(max_new_tokens=8, num_beams=num_beams, max_prompt_tokens=64)
    batched = generate(model, tok, prompts, batch_size=5, **kw)
    single = [generate(model, tok, [p], batch_size=1, **kw)[0] for p in prompts]
    assert batched == single
    assert batched == generate(model, tok, prompts, batch_size=32, **kw)  # deterministic
    assert any(a for a in batched)
    groups = [f"g{i % 3}" for i in range(len(prompts))]  # batches kept within a group: same answers
    assert generate(model, tok, prompts, batch_size=5, groups=groups, **kw) == single


def test_grouped_batches_stay_within_a_group(tiny_lm, monkeypatch):
    model, tok, _ = tiny_lm
    prompts = _prompts()[:7]
    groups = ["a", "b", "a", "b", "a", "a", "b"]
    seen = []
    real = model.generate
    monkeypatch.setattr(model, "generate", lambda **kw: seen.append(kw["input_ids"].shape[0]) or real(**kw))
    generate(model, tok, prompts, batch_size=3, groups=groups, max_new_tokens=2, max_prompt_tokens=32)
    assert seen == [3, 1, 3]  # a: 4 prompts -> 3 + 1; b: 3 prompts -> 3


def test_left_truncation_keeps_the_end(tiny_lm):
    model, tok, _ = tiny_lm
    long = "red mug " * 200 + "### Response:"
    a = generate(model, tok, [long], max_new_tokens=5, max_prompt_tokens=16)
    ids = tok(long)["input_ids"][-16:]
    b = generate(model, tok, [tok.decode(ids)], max_new_tokens=5, max_prompt_tokens=16)
    assert a == b


def test_evaluate_model_end_to_end_on_heldout(tiny_lm):
    model, tok, _ = tiny_lm
    insts = load_suite("synthetic", BUILD)
    rows, scores = evaluate_model(model, tok, insts, EvalConfig(batch_size=4, max_new_tokens=6, max_prompt_tokens=128))
    assert [(r["task"], r["index"]) for r in rows] == [(i.task, i.index) for i in insts]
    row = table_row(scores, "corrected")
    assert row["UD_n_tasks"] == 4 and row["PA_miF1"] is not None and row["PS_rougeL"] is not None


def _write_preds(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def test_score_cli_gold_and_errors(tmp_path, capsys):
    insts = load_suite("ecomgpt", ECOMGPT)
    rows = [{"task": i.task, "index": i.index, "prediction": i.gold} for i in insts]
    preds = tmp_path / "p.jsonl"
    _write_preds(preds, rows)
    out = tmp_path / "out"
    assert main(["score", "--suite", "ecomgpt", "--data-dir", str(ECOMGPT), "--predictions", str(preds), "--out", str(out)]) == 0
    scores = json.loads((out / "scores.json").read_text())
    assert scores["summary"]["corrected"]["UD_miF1"] == 100.0 and scores["summary"]["corrected"]["PS_rougeL"] == 100.0
    assert (out / "table.md").read_text().startswith("| Variant | UD miF1")
    assert (out / "scores.csv").read_text().count("\n") == 14  # header + 13 published folders
    assert scores["subset"]["whole"] is True and scores["beside_averages"] == ["ZH-Multi_CPR-CLS-query_item_matching"]
    assert "Scored beside the averages" in (out / "table.md").read_text()
    bad = tmp_path / "out_bad"
    n = len(rows)
    for broken, msg in (
        (rows[:-1], "no prediction for 1 instance"),
        (rows + rows[:1], f"line {n + 1}: duplicate prediction"),
        (rows[:-1] + [{**rows[-1], "index": 99}], f"line {n}: .* is not an instance"),
        (rows[:-1] + [{**rows[-1], "prediction": None}], f"line {n}, field 'prediction'"),
    ):
        _write_preds(preds, broken)
        assert main(["score", "--suite", "ecomgpt", "--data-dir", str(ECOMGPT), "--predictions", str(preds), "--out", str(bad)]) == 2
        assert __import__("re").search(msg, capsys.readouterr().err), msg
        assert not bad.exists()
    preds.write_bytes(b'{"task": "\xff"}\n')
    assert main(["score", "--suite", "ecomgpt", "--data-dir", str(ECOMGPT), "--predictions", str(preds), "--out", str(bad)]) == 2
    assert "line 1: invalid UTF-8" in capsys.readouterr().err


def test_evaluate_cli_with_local_checkpoint(tiny_lm, tmp_path):
    _, _, path = tiny_lm
    out = tmp_path / "ev"
    assert main(["evaluate", "--model", str(path), "--suite", "synthetic", "--data-dir", str(BUILD), "--out", str(out),
                 "--set", "eval.max_new_tokens=4", "--set", "eval.max_prompt_tokens=64"]) == 0
    rows = [json.loads(x) for x in (out / "predictions.jsonl").read_text().splitlines()]
    assert len(rows) == 10 and (out / "scores.json").is_file()
    # the written predictions re-score identically through `ecomlib score`
    assert main(["score", "--suite", "synthetic", "--data-dir", str(BUILD), "--predictions", str(out / "predictions.jsonl"),
                 "--out", str(tmp_path / "re"), "--n-per-task", "12"]) == 0
    first, again = (json.loads((d / "scores.json").read_text()) for d in (out, tmp_path / "re"))
    assert again["subset"]["n_per_task"] == 12 and first["subset"]["n_per_task"] == 8  # the smoke profile's
    assert {k: v for k, v in again.items() if k != "subset"} == {k: v for k, v in first.items() if k != "subset"}
    # #24: the 8 rows came from the profile, not from the command line; and the meta file names the build
    # folder, so a re-score needs neither --suite nor --data-dir
    table = (out / "table.md").read_text()
    assert "SUBSET: the first 8 rows of every task (profile 'smoke''s eval.n_per_task; --n-per-task N sets it)" in table
    assert main(["score", "--predictions", str(out / "predictions.jsonl"), "--out", str(tmp_path / "meta")]) == 0
    assert json.loads((tmp_path / "meta" / "scores.json").read_text())["summary"] == first["summary"]


def test_score_cli_selects_rows_from_a_larger_file(tmp_path, capsys):
    insts = load_suite("ecomgpt", ECOMGPT)  # all 13 folders
    preds = tmp_path / "p.jsonl"
    _write_preds(preds, [{"task": i.task, "index": i.index, "prediction": i.gold} for i in insts])
    base = ["score", "--suite", "ecomgpt", "--data-dir", str(ECOMGPT), "--predictions", str(preds)]
    extra = "ZH-Multi_CPR-CLS-query_item_matching"
    assert main([*base, "--task", extra, "--out", str(tmp_path / "one")]) == 0
    one = json.loads((tmp_path / "one" / "scores.json").read_text())
    assert list(one["tasks"]) == [extra] and one["subset"] == {
        "suite": "ecomgpt", "n_per_task": None, "tasks": [extra], "whole": False, "absent": [],
        "unverified": [str(find_ecomgpt_tasks(ECOMGPT)[extra] / f) for f in ("meta-info.json", "test.json")]}
    assert main([*base, "--n-per-task", "1", "--out", str(tmp_path / "first")]) == 0
    first = json.loads((tmp_path / "first" / "scores.json").read_text())
    assert {m["n"] for m in first["tasks"].values()} == {1} and len(first["tasks"]) == 13
    assert "SUBSET: the first 1 rows of every task (asked for)" in (tmp_path / "first" / "table.md").read_text()
    capsys.readouterr()
    # a few predictions of the whole suite: the error says how to score a subset (#24)
    _write_preds(preds, [{"task": i.task, "index": i.index, "prediction": i.gold} for i in insts[:3]])
    assert main([*base, "--out", str(tmp_path / "few")]) == 2
    assert "--task NAME (repeatable) and --n-per-task N" in capsys.readouterr().err
    # a task the data directory lacks is named, with the way out
    _write_preds(preds, [{"task": i.task, "index": i.index, "prediction": i.gold} for i in insts]
                 + [{"task": "EN-Nope-CLS-x", "index": 0, "prediction": "a"}])
    assert main([*base, "--out", str(tmp_path / "bad")]) == 2
    assert "task 'EN-Nope-CLS-x' is not in this suite" in capsys.readouterr().err


def test_evaluate_ecomgpt_scores_the_whole_suite_by_default(tiny_lm, tmp_path):
    _, _, path = tiny_lm
    profile = tmp_path / "tiny.yaml"
    profile.write_text("name: tiny\neval: {n_per_task: 1, max_new_tokens: 2, max_prompt_tokens: 32}\n")
    base = ["evaluate", "--model", str(path), "--suite", "ecomgpt", "--data-dir", str(ECOMGPT), "--profile", str(profile)]
    assert main([*base, "--out", str(tmp_path / "all")]) == 0
    rows = (tmp_path / "all" / "predictions.jsonl").read_text().splitlines()
    assert len(rows) == len(load_suite("ecomgpt", ECOMGPT)) > 13  # every row, not the profile's 1 per task
    scores = json.loads((tmp_path / "all" / "scores.json").read_text())
    assert scores["subset"]["whole"] and len(scores["tasks"]) == 13
    assert main([*base, "--n-per-task", "1", "--task", "EN-Lenovo-NER-NER", "--out", str(tmp_path / "part")]) == 0
    part = json.loads((tmp_path / "part" / "scores.json").read_text())
    assert part["subset"]["whole"] is False and part["tasks"]["EN-Lenovo-NER-NER"]["n"] == 1


class _Chat(BaseHTTPRequestHandler):
    seen: list = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Chat.seen.append((self.path, self.headers.get("Authorization"), body))
        prompt = body["messages"][0]["content"]
        answer = "same" if "Item 1: red mug\nItem 2: red cup" in prompt else "not same"
        data = json.dumps({"choices": [{"message": {"role": "assistant", "content": answer}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *a):
        pass


def test_evaluate_cli_openai_endpoint(tmp_path, monkeypatch):
    server = HTTPServer(("127.0.0.1", 0), _Chat)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{server.server_port}/v1")
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        out = tmp_path / "oa"
        assert main(["evaluate", "--model", "openai:gpt-test", "--suite", "synthetic", "--data-dir", str(BUILD),
                     "--task", "EN-ShopA-CLS-item_align", "--out", str(out)]) == 0
    finally:
        server.shutdown()
        thread.join()
    path, auth, body = _Chat.seen[0]
    assert path == "/v1/chat/completions" and auth == "Bearer test-key" and body["model"] == "gpt-test"
    scores = json.loads((out / "scores.json").read_text())
    assert scores["tasks"]["EN-ShopA-CLS-item_align"]["acc"] == 100.0
