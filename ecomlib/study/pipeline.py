"""The study's stages, each cached in a hash-keyed run directory (``ecomlib.study.runs``).

    EcomInstruct build ──> tokenizer ──> BLOOM-like (pretrain) ──> BLOOMZ-like (general instructions)
        └──────────────(selection)──────────────────────────────────> EcomGPT (EcomInstruct) ──> scores

Every function takes the run's ``Profile`` and returns a path or a result; calling it twice with the
same inputs returns the cached result without recomputing.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

from ecomlib.config import DataConfig, Profile, apply_overrides
from ecomlib.datadir import data_dir
from ecomlib.errors import ConfigError
from ecomlib.evaluation import evaluate_model
from ecomlib.evaluation.registry import get_suite
from ecomlib.evaluation.rouge import rouge_l_char
from ecomlib.instruct import Selection, build, load_rows, select
from ecomlib.instruct.builder import build_fingerprint
from ecomlib.instruct.leak_guard import suite_identity
from ecomlib.instruct.pretrain_text import iter_profile_pretrain_text
from ecomlib.io import read_jsonl
from ecomlib.sources.verify import pinned_digest
from ecomlib.study.codedeps import stage_deps
from ecomlib.study.runs import cached
from ecomlib.world import iter_general_instructions
from ecomlib.world.general import prompt_input

# Each stage's code (the orchestration functions computing its parameters and inputs, and every ecomlib
# module they import, transitively) is derived from the source by ecomlib.study.codedeps: its bytes key the stage.
# The convergence rule (ecomlib.training.convergence) shapes every stage's weights, the bases' too.
CONVERGENCE_KEYS = ("heldaside_fraction", "heldaside_max", "evals_per_epoch", "patience", "min_delta")

# Train fields that do not change the trained weights (how often to log / checkpoint).
_TRAIN_NOT_KEYED = ("log_every", "save_every")

# transformers' own per-load/per-save bars would drown the study's progress bars and notebook outputs.
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
try:
    from transformers.utils import logging as _hf_logging

    _hf_logging.disable_progress_bar()
    _hf_logging.set_verbosity_error()
except ImportError:  # pragma: no cover
    pass


def _data_params(profile: Profile) -> dict:
    return {"seed": profile.seed, "world": dataclasses.asdict(profile.world), "data": dataclasses.asdict(profile.data)}


def build_data(profile: Profile, progress: bool = False) -> Path:
    """EcomInstruct for the profile's data settings; returns the folder holding ``ecominstruct/``."""

    def run(tmp: Path) -> None:
        build(profile, tmp, progress=progress)

    return cached("data", _build_params(profile), run, deps=stage_deps("build_data"))


def _build_params(profile: Profile) -> dict:
    """The data stage's key. build_fingerprint carries the registry/kind/builder versions; the build runs in
    a fresh folder, so its own skip-if-same-fingerprint check never sees an earlier build: the key must carry it.
    The open world adds the pinned files' digest (every file read is verified against it) and the bytes of
    every evaluation suite the leak guard read (its drops depend on them)."""
    params = {**_data_params(profile), "build_fingerprint": build_fingerprint(profile)}
    if profile.data.world == "open":
        params["data_files"] = pinned_digest()
        params["guarded_suites"] = suite_identity(data_dir(required=False))
    return params


def _eval_data_params(profile: Profile) -> dict:
    """Held-out prompts do not depend on the training-template variant, so the eval build ignores it."""
    p = _data_params(profile)
    for k in ("template", "prompt_lang", "task_info", "output_constraint"):
        p["data"].pop(k)
    return p


def _default_template(profile: Profile) -> Profile:

    d = DataConfig()
    keys = ("template", "prompt_lang", "task_info", "output_constraint")
    return apply_overrides(profile, {f"data.{k}": getattr(d, k) for k in keys})


def tokenizer(profile: Profile) -> Path:
    """A byte-level BPE trained on the world's raw text, general instructions (synthetic world only) and
    EcomInstruct train prompts (never held-out text); or the pretrained tokenizer the profile names."""
    from ecomlib.training import load_tokenizer, train_tokenizer  # deferred: torch

    # Keyed without the training-template variant: every prompt ablation fine-tunes the same backbone,
    # as the paper fine-tunes the same BLOOMZ for every row of Table 11.
    params = {"tok": dataclasses.asdict(profile.tokenizer), "data": _eval_data_params(profile)}

    def run(tmp: Path) -> None:
        if profile.tokenizer.pretrained:
            load_tokenizer(profile.tokenizer.pretrained).save_pretrained(tmp)
            return
        rows = load_rows(build_data(_default_template(profile)), "train")

        def texts():
            yield from iter_profile_pretrain_text(profile)
            if profile.data.world != "open":  # the open world's tokenizer reads no synthetic text
                for r in iter_general_instructions(profile.world, profile.seed):
                    yield r["prompt"] + r["output"]
            for r in rows:
                yield r["prompt"] + r["output"]

        train_tokenizer(texts(), profile.tokenizer.vocab_size, profile.tokenizer.min_frequency, tmp)

    return cached("tokenizer", params, run, deps=stage_deps("tokenizer"))


def _train_params(profile: Profile) -> dict:
    d = dataclasses.asdict(profile.train)
    for k in _TRAIN_NOT_KEYED:
        d.pop(k)
    return d


def existing_checkpoint(profile: Profile, size: str, stage: str) -> Path | None:
    """The real checkpoint standing for a stage that does not train (the paper profile: 0 steps), or None.

    ``pretrain`` (BLOOM) -> the size's ``pretrained_bloom``; ``general`` (BLOOMZ) -> its ``pretrained``. A hub
    id comes back as a relative Path of the id (``Path("bigscience/bloomz-7b1")``); loaders take either."""
    from ecomlib.training.models import resolve_source  # deferred: torch

    steps, key = ((profile.train.pretrain_steps, "pretrained_bloom") if stage == "pretrain"
                  else (profile.train.general_steps, "pretrained"))
    if steps > 0:
        return None
    spec = getattr(profile.size(size), key)
    if not spec:
        raise ConfigError(f"profile {profile.name!r}: train.{stage}_steps is 0 and model.ladder[{size}].{key} "
                          "names no checkpoint: nothing to stand for this stage (set one, or train it)")
    name, _ = resolve_source(spec, what=f"model.ladder[{size}].{key}")
    return Path(name)


def base_profile(profile: Profile) -> Profile:
    """The profile the bases train with: ``train.seed`` replaced by ``train.base_seed`` when that is set (the
    bases are then shared by every seed replicate of the fine-tune)."""
    b = profile.train.base_seed
    return profile if b is None or b == profile.train.seed else apply_overrides(profile, {"train.seed": b}, src="train.base_seed")


def base_model(profile: Profile, size: str, stage: str, progress: bool = False) -> Path:
    """``pretrain`` = BLOOM-like, ``general`` = BLOOMZ-like (pretrain + general instructions). With 0 steps
    for the stage (the paper profile) the real BLOOM / BLOOMZ checkpoint is returned as it is."""
    from ecomlib.training import load_tokenizer, train_stage  # deferred: torch

    assert stage in ("pretrain", "general"), stage
    profile = base_profile(profile)
    existing = existing_checkpoint(profile, size, stage)
    if existing is not None:
        return existing
    tok_dir = tokenizer(profile)
    t = profile.train
    params = {
        "tok": str(tok_dir.name),
        # a size's own fine-tune epochs do not change its bases
        "size": {k: v for k, v in dataclasses.asdict(profile.size(size)).items() if k != "epochs"},
        "world": dataclasses.asdict(profile.world),
        "seed": profile.seed,
        # LoRA never applies to pretraining, so it keys only the general stage (below)
        "train": {k: getattr(t, k) for k in ("pretrain_steps", "pretrain_lr", "batch_size", "grad_accum", "max_length",
                                             "warmup_ratio", "packing", "seed", "weight_decay", "bf16", "attention",
                                             "gradient_checkpointing", *CONVERGENCE_KEYS)},
        "stage": stage,
    }
    if stage == "general":
        # LoRA applies to a stage that starts from trained weights, never to pretraining from random init.
        params["train"].update(general_steps=t.general_steps, lr=t.stage_lr("general"), lora=t.lora, lora_r=t.lora_r, lora_alpha=t.lora_alpha)
        init = base_model(profile, size, "pretrain", progress)
        from ecomlib.training.checkpoint import init_identity  # deferred: torch

        params["init"] = init_identity(init) if existing_checkpoint(profile, size, "pretrain") else init.name

    def run(tmp: Path) -> None:
        tok = load_tokenizer(tok_dir)
        if stage == "pretrain":
            texts = list(iter_profile_pretrain_text(profile))  # the open world: its sources' raw text
            train_stage(profile, "pretrain", tmp, tokenizer=tok, size=size, texts=texts, progress=progress,
                        resume="if-valid")
        else:
            rows = list(iter_general_instructions(profile.world, profile.seed))
            train_stage(profile, "general", tmp, tokenizer=tok, size=size, init_from=init, examples=rows, progress=progress,
                        resume="if-valid")

    return cached(f"model-{stage}", params, run, deps=stage_deps("base_model"), resumable=True)


def finetune(profile: Profile, size: str, selection=None, progress: bool = False) -> Path:
    """EcomGPT: the BLOOMZ-like base of ``size`` instruction-tuned on (a selection of) EcomInstruct."""
    from ecomlib.training import load_tokenizer, train_stage  # deferred: torch

    selection = selection or Selection()
    data_dir = build_data(profile)
    init = base_model(profile, size, "general", progress)
    from ecomlib.training.checkpoint import init_identity  # deferred: torch

    params = {
        "data": data_dir.name,
        # a stage folder by name; a real checkpoint by its path (or hub id) and weights' hash
        "init": init_identity(init) if existing_checkpoint(profile, size, "general") else init.name,
        "selection": dataclasses.asdict(selection),
        "train": _train_params(profile.finetune_profile(size)),  # the epochs this size trains (train_stage)
    }

    def run(tmp: Path) -> None:
        rows = select(load_rows(data_dir, "train"), selection)
        train_stage(
            profile, "ecominstruct", tmp, tokenizer=load_tokenizer(init), size=size, init_from=init,
            examples=rows, progress=progress, resume="if-valid",
        )
        (tmp / "selection.json").write_text(json.dumps({"n_rows": len(rows), "n_tasks": len({r["task"] for r in rows})}))

    return cached("model-ecomgpt", params, run, deps=stage_deps("finetune"), resumable=True)


# The suites every model is scored on (split names) are declared once: ecomlib.evaluation.registry.SUITES.
# (A top-level import keys only the stages that use its name: ecomlib.study.codedeps.)


def heldout_suite(profile: Profile, split: str = "heldout") -> list:
    """The instances the study scores every model on for one suite of ``ecomlib.evaluation.registry``
    (held-out, held-in, a published benchmark): [] where the suite does not apply to the profile."""

    suite = get_suite(split)
    if not suite.applies(profile):
        return []
    # held-out rows are identical across template variants; held-in are not; a published suite needs no build
    return suite.instances(profile, build_data(profile) if suite.built else None)


def evaluation_dir(profile: Profile, model_dir: Path, split: str = "heldout", progress: bool = False) -> Path:
    """Generate on one split and score; the cached folder holds ``predictions.jsonl`` and ``scores.json``."""
    from ecomlib.training import load_model, load_tokenizer  # deferred: torch

    suite = get_suite(split)
    data_dir = build_data(profile)
    # source: which files (and which bytes of them) a suite read from ECOMLIB_DATA_DIR; {} for built splits
    params = {"model": str(model_dir), "data": data_dir.name, "eval": dataclasses.asdict(profile.eval), "split": split,
              "source": suite.source(profile)}

    def run(tmp: Path) -> None:
        instances = heldout_suite(profile, split)
        preds, scores = [], {"tasks": {}, "summary": {}}
        if instances:
            from ecomlib.evaluation.generation import inference_dtype, place_for_inference  # deferred: torch

            model = place_for_inference(load_model(model_dir, dtype=inference_dtype()))  # bf16 on a GPU
            preds, scores = evaluate_model(model, load_tokenizer(model_dir), instances, profile.eval, progress=progress)
            suite.add_to_scores(scores, instances, {(p["task"], p["index"]): p["prediction"] for p in preds})
        with open(tmp / "predictions.jsonl", "w", encoding="utf-8") as fh:
            for p in preds:
                fh.write(json.dumps(p, ensure_ascii=False, sort_keys=True) + "\n")
        (tmp / "scores.json").write_text(json.dumps(scores, ensure_ascii=False, sort_keys=True, indent=1))

    return cached("eval", params, run, deps=stage_deps("evaluation_dir"))


def evaluate(profile: Profile, model_dir: Path, split: str = "heldout", progress: bool = False) -> dict:
    """Scores of ``model_dir`` on one split (cached per model, data, eval settings and split)."""
    return json.loads((evaluation_dir(profile, model_dir, split, progress) / "scores.json").read_text())


def predictions(profile: Profile, model_dir: Path, split: str = "heldout") -> dict[tuple[str, int], str]:
    """The cached predictions of ``model_dir`` on one split, keyed by (task, index)."""

    path = evaluation_dir(profile, model_dir, split) / "predictions.jsonl"
    return {(r["task"], r["index"]): r["prediction"] for r in read_jsonl(path)}


def general_check(profile: Profile, size: str, progress: bool = False) -> dict:
    """Does the BLOOMZ-like base follow general instructions? Its own held-aside general rows (never trained
    on; the convergence rule's split) answered by the BLOOM-like and BLOOMZ-like bases, scored per task
    by exact match and character Rouge-L, beside the trivial answer that copies the input. Empty when the
    rule is off (no rows were set aside). Cached like an evaluation."""
    from ecomlib.training.convergence import stage_split  # deferred: torch

    profile = base_profile(profile)  # the bases' own settings: one check per trained base
    bases = {stage: base_model(profile, size, stage, progress) for stage in ("pretrain", "general")}
    params = {"models": {k: str(v) for k, v in bases.items()}, "eval": dataclasses.asdict(profile.eval),
              "train": _train_params(profile), "world": dataclasses.asdict(profile.world), "seed": profile.seed}

    def run(tmp: Path) -> None:
        _, aside = stage_split(list(iter_general_instructions(profile.world, profile.seed)), profile.train, "general")
        (tmp / "general_check.json").write_text(json.dumps(_score_general(profile, bases, aside, progress),
                                                           ensure_ascii=False, sort_keys=True, indent=1))

    folder = cached("eval-general", params, run, deps=stage_deps("general_check"))
    return json.loads((folder / "general_check.json").read_text())


def _score_general(profile: Profile, bases: dict, rows: list[dict], progress: bool) -> dict:
    from ecomlib.evaluation.generation import generate, inference_dtype, place_for_inference  # deferred: torch
    from ecomlib.training import load_model, load_tokenizer  # deferred: torch

    def per_task(answers: list[str]) -> dict:
        out: dict = {}
        for r, a in zip(rows, answers):
            t = out.setdefault(r["task"], {"n": 0, "exact": 0.0, "rougeL_char": 0.0})
            t["n"] += 1
            t["exact"] += 100.0 * (a.strip() == r["output"].strip())
            t["rougeL_char"] += 100.0 * rouge_l_char(a, r["output"])
        for t in out.values():
            t["exact"], t["rougeL_char"] = t["exact"] / t["n"], t["rougeL_char"] / t["n"]
        mean = {k: sum(t[k] for t in out.values()) / max(1, len(out)) for k in ("exact", "rougeL_char")}
        return {"tasks": out, "mean": mean}

    e = profile.eval
    scores = {"n_rows": len(rows)}
    if not rows:  # the rule is off: nothing was set aside to score
        return scores
    for stage, path in bases.items():
        model = place_for_inference(load_model(path, dtype=inference_dtype()))
        answers = generate(model, load_tokenizer(path), [r["prompt"] for r in rows], batch_size=e.batch_size,
                           max_new_tokens=e.max_new_tokens, max_prompt_tokens=e.max_prompt_tokens,
                           progress=progress, groups=[r["task"] for r in rows])
        scores["BLOOM-like" if stage == "pretrain" else "BLOOMZ-like"] = per_task(answers)
    # the input as it is: right for "copy", the floor for every other task
    scores["trivial: copy input"] = per_task([prompt_input(r["prompt"]) for r in rows])
    return scores
