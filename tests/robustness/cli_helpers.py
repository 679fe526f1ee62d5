"""Shared by the CLI robustness tests: run ``ecomlib`` in process, check the one-line error, a tiny model."""

from __future__ import annotations

import json
from pathlib import Path

from ecomlib.cli import main
from ecomlib.config import REPO_ROOT

BUILD = REPO_ROOT / "tests" / "evaluation" / "fixtures" / "build"  # ecominstruct/heldout.jsonl, 7 tasks
HELDOUT = BUILD / "ecominstruct" / "heldout.jsonl"
TASKS = sorted({json.loads(line)["task"] for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()})


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main([str(a) for a in argv])
    out = capsys.readouterr()
    return rc, out.out, out.err


def one_error_line(rc: int, err: str, *needles: str) -> str:
    """Exit 2, stderr is exactly one line, no traceback, containing every needle."""
    assert rc == 2, (rc, err)
    assert "Traceback" not in err, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


def gold_predictions(path: Path, tasks=None) -> Path:
    """A predictions file answering every held-out row of the fixture with its gold answer."""
    from ecomlib.evaluation import load_suite

    rows = [{"task": i.task, "index": i.index, "prediction": i.gold} for i in load_suite("synthetic", BUILD, tasks=tasks)]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def files_of(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def save_tiny_lm(path: Path) -> Path:
    """A tiny random BLOOM + byte-level BPE tokenizer saved as a model folder (seconds on a CPU)."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import BloomConfig, BloomForCausalLM, PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=280, special_tokens=["<pad>", "</s>", "<unk>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(["### Instruction: same or not same? ### Response: same"] * 3, trainer)
    hf_tok = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>")
    torch.manual_seed(0)
    cfg = BloomConfig(vocab_size=len(hf_tok), hidden_size=16, n_layer=1, n_head=2, pad_token_id=hf_tok.pad_token_id,
                      eos_token_id=hf_tok.eos_token_id, bos_token_id=hf_tok.eos_token_id)
    BloomForCausalLM(cfg).eval().save_pretrained(path)
    hf_tok.save_pretrained(path)
    return path


EVAL_FAST = ("--set", "eval.max_new_tokens=2", "--set", "eval.max_prompt_tokens=32")
