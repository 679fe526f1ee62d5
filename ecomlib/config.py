"""Run profiles: one YAML file per profile (``configs/<name>.yaml``) -> one typed ``Profile``.

A profile is the single source of truth for a run. Any key can be overridden from the CLI
(``--set train.lr=1e-4``) or from papermill parameters (a dict per section). Unknown keys, wrong types
and impossible values fail with a ``ConfigError`` naming the file, the key and what was expected.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import math
import os
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Optional

import yaml

from ecomlib.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = Path(os.environ.get("ECOMLIB_CONFIG_DIR", REPO_ROOT / "configs"))
PROFILES = ("smoke", "cpu", "gpu", "paper")


@dataclass
class WorldConfig:
    """Size and noise of the synthetic world (ignored by the ``open`` world)."""

    records_per_source: int = 200  # raw records generated per synthetic source dataset
    products_per_category: int = 6  # distinct products per fine category in the catalog
    pseudo_label_error: float = 0.15  # error rate of the noisy labeler standing in for ChatGPT
    typo_rate: float = 0.05  # character-noise rate for the "noisy" source styles
    general_per_task: int = 100  # general (non-e-commerce) instructions per general task type
    pretrain_documents: int = 2000  # raw documents for BLOOM-like causal-LM pretraining


@dataclass
class DataConfig:
    """How EcomInstruct is built."""

    world: Literal["synthetic", "open"] = "synthetic"
    max_per_task: int = 800  # paper: at most 800 instances per training task
    heldout_per_task: int = 500  # paper: 500 test rows per held-out task
    template: Literal["diverse", "narrow"] = "diverse"
    prompt_lang: Literal["en", "zh", "input"] = "en"
    task_info: bool = True  # include the task description part of the instruction
    output_constraint: bool = True  # include the output-constraint part
    # Prompt layout of training and held-out rows (ecomlib.instruct.templates): "ours" (six headed
    # parts), "published" (the 13 published test folders' layout), "auto" = published for the open
    # world, ours for the synthetic one.
    layout: Literal["auto", "ours", "published"] = "auto"
    n_negative_labels: int = 2  # absent types / wrong labels added to candidate lists
    max_candidates: int = 12  # cap on candidate labels shown for large label sets
    # Held-in evaluation: unseen instances of training tasks (paper Table 6). A record-level split: a share
    # of each held-in dataset's records never reaches train (no task, CoT included, sees them).
    heldin_tasks: Optional[list[str]] = None  # "Dataset:kind"; None = the world's default list
    heldin_per_task: int = 0  # rows per held-in task (0 = no held-in split)
    heldin_fraction: float = 0.2  # share of a held-in dataset's records reserved for held-in


@dataclass
class TokenizerConfig:
    vocab_size: int = 4000
    min_frequency: int = 2
    pretrained: Optional[str] = None  # hub id or local path (paper profile); None = train our own BPE


@dataclass
class ModelSize:
    name: str = "tiny"
    hidden_size: int = 64
    n_layer: int = 2
    n_head: int = 4
    pretrained: Optional[str] = None  # hub id or local path of a real BLOOM/BLOOMZ checkpoint
    # the paper profile's BLOOM baseline (not instruction-tuned): used as is when train.pretrain_steps is 0
    pretrained_bloom: Optional[str] = None
    # EcomInstruct epochs of this size's fine-tunes; null = train.epochs. Why: a small size can need more
    # passes to learn its tasks than the budget gives the others (measured: results/bench/convergence_cpu_xxs_e4.json)
    epochs: Optional[float] = None


@dataclass
class ModelConfig:
    ladder: list[ModelSize] = field(default_factory=lambda: [ModelSize()])
    default_size: str = "tiny"  # the size used by ablations (the paper's 3b role)


@dataclass
class TrainConfig:
    pretrain_steps: int = 200  # BLOOM-like stage: causal LM on raw e-commerce text
    general_steps: int = 100  # BLOOMZ-like stage: general (non-e-commerce) instructions
    epochs: float = 3.0  # EcomInstruct stage, as in the paper
    max_steps: int = 0  # >0 caps the EcomInstruct stage (smoke runs)
    lr: float = 2e-5
    pretrain_lr: float = 1e-3
    # The BLOOMZ-like stage's lr; None = train.lr. The general stage and the fine-tune converge best at
    # different rates (results/bench/convergence_cpu_s_*.json: 0.004 vs 0.002 on the cpu profile).
    general_lr: Optional[float] = None
    weight_decay: float = 0.0
    warmup_ratio: float = 0.03
    batch_size: int = 8  # sequences per micro-batch
    grad_accum: int = 1
    max_length: int = 1024
    packing: bool = True  # pack instances per sequence without cross-attention
    attention: Literal["eager", "sdpa"] = "eager"  # sdpa: torch's fused attention kernels in training
    lora: bool = False
    lora_r: int = 16
    lora_alpha: int = 32
    gradient_checkpointing: bool = False
    bf16: bool = False  # autocast on GPU only
    log_every: int = 10
    save_every: int = 0  # 0 = only at the end
    seed: int = 0
    # The BLOOM-like and BLOOMZ-like stages' seed; None = train.seed, so every seed replicate retrains the bases.
    # Set, the bases are trained once and every replicate fine-tunes the same BLOOMZ-like model (as the paper
    # fine-tunes one BLOOMZ per size): the seed spread is then the fine-tune's alone.
    base_seed: Optional[int] = None
    # Convergence (ecomlib.training.convergence): a share of each stage's rows held aside; the stage stops when
    # their loss has not improved by min_delta (relative) for `patience` evaluations, keeping the best weights.
    # The step budgets above are then maxima. heldaside_fraction 0 = off (train the whole budget).
    heldaside_fraction: float = 0.0
    heldaside_max: int = 256  # rows/documents set aside at most (the evaluation's cost)
    evals_per_epoch: int = 4
    patience: int = 3  # 0 = never stop early (still keep the best evaluation's weights)
    min_delta: float = 0.002

    def stage_lr(self, stage: str) -> float:
        """The peak learning rate of a training stage: ``pretrain_lr``; ``general_lr`` for the general stage
        when set; else ``lr``."""
        if stage == "pretrain":
            return self.pretrain_lr
        if stage == "general" and self.general_lr is not None:
            return self.general_lr
        return self.lr


@dataclass
class EvalConfig:
    batch_size: int = 32
    num_beams: int = 1  # paper: 4
    max_new_tokens: int = 64
    max_prompt_tokens: int = 800  # left truncation, as the reference
    n_per_task: int = 500  # rows per held-out task scored


@dataclass
class StudyConfig:
    seeds: list[int] = field(default_factory=lambda: [0])
    task_counts: list[int] = field(default_factory=lambda: [5, 10, 20])  # nested task subsets (Fig. 4)
    per_task_counts: list[int] = field(default_factory=lambda: [25, 50, 100])  # instances per task (Fig. 5)
    lr_grid: list[float] = field(default_factory=list)  # fine-tune lrs compared on held-in (never held-out)
    compute_multipliers: list[float] = field(default_factory=list)  # fine-tune budgets x max_steps (compute scaling)
    # False: train only the arms a claim tests (every seed); the single-seed variants (Tables 6 and 8, three
    # Table 11 prompt rows, w/o Gen, the larger task counts, Figure 5) are left out (plan.singles)
    single_seed_arms: bool = True


@dataclass
class Profile:
    name: str = "smoke"
    seed: int = 0
    world: WorldConfig = field(default_factory=WorldConfig)
    data: DataConfig = field(default_factory=DataConfig)
    tokenizer: TokenizerConfig = field(default_factory=TokenizerConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    study: StudyConfig = field(default_factory=StudyConfig)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def fingerprint(self, *sections: str) -> str:
        """A short hash of the given sections (all when none), for hash-keyed run directories."""
        d = self.to_dict()
        if sections:
            d = {k: d[k] for k in sections}
        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:12]

    def finetune_profile(self, size: str) -> "Profile":
        """This profile as an EcomInstruct fine-tune of ``size`` trains: ``train.epochs`` replaced by the ladder
        entry's ``epochs`` when it sets one (the same object otherwise)."""
        epochs = self.size(size).epochs
        if epochs is None or epochs == self.train.epochs:
            return self
        return dataclasses.replace(self, train=dataclasses.replace(self.train, epochs=epochs))

    def size(self, name: str) -> ModelSize:
        for s in self.model.ladder:
            if s.name == name:
                return s
        raise ConfigError(f"model size {name!r} is not in the ladder {[s.name for s in self.model.ladder]}")


# --------------------------------------------------------------------------------------------------
# Typed conversion with clear errors


def _type_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return f"{_type_name(args[0])} or null"
    if origin is list:
        return f"a list of {_type_name(typing.get_args(tp)[0])}"
    if dataclasses.is_dataclass(tp):
        return f"a mapping ({tp.__name__})"
    return {int: "an integer", float: "a number", bool: "true or false", str: "a string"}.get(tp, str(tp))


def _convert(value: Any, tp: Any, key: str, src: str) -> Any:
    def fail() -> ConfigError:
        return ConfigError(f"{src}: key {key!r}: expected {_type_name(tp)}, got {value!r}")

    origin = typing.get_origin(tp)
    if origin is Literal:
        if value not in typing.get_args(tp):
            raise fail()
        return value
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        inner = [a for a in typing.get_args(tp) if a is not type(None)][0]
        return _convert(value, inner, key, src)
    if origin is list:
        if not isinstance(value, list):
            raise fail()
        (inner,) = typing.get_args(tp)
        return [_convert(v, inner, f"{key}[{i}]", src) for i, v in enumerate(value)]
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise fail()
        return _build(tp, value, key, src)
    if tp is bool:
        if not isinstance(value, bool):
            raise fail()
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail()
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise fail()
        try:
            # PyYAML reads "2e-5" (no dot) as a string; accept any float literal.
            number = float(value)
        except (ValueError, OverflowError):
            raise fail() from None
        if not math.isfinite(number):  # .inf / .nan would train a NaN model or never end
            raise ConfigError(f"{src}: key {key!r}: expected a finite number, got {value!r}")
        return number
    if tp is str:
        if not isinstance(value, str):
            raise fail()
        return value
    raise fail()


def _build(cls: type, data: dict, prefix: str, src: str, base: Any = None) -> Any:
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    for k in data:
        if k not in names:
            full = f"{prefix}.{k}" if prefix else k
            raise ConfigError(f"{src}: unknown key {full!r}; expected one of: {', '.join(names)}")
    obj = copy.deepcopy(base) if base is not None else cls()
    for k, v in data.items():
        full = f"{prefix}.{k}" if prefix else k
        current = getattr(obj, k)
        if dataclasses.is_dataclass(hints[k]) and isinstance(v, dict):
            setattr(obj, k, _build(hints[k], v, full, src, base=current))
        else:
            setattr(obj, k, _convert(v, hints[k], full, src))
    return obj


class _Range(typing.NamedTuple):
    """Allowed values of one numeric key: [low, high], or (low, high] when ``low_open``."""

    low: float
    high: float
    why: str  # where the bound comes from, shown in the error
    low_open: bool = False

    def __contains__(self, value: float) -> bool:
        above = value > self.low if self.low_open else value >= self.low
        return above and value <= self.high  # False for NaN

    def __str__(self) -> str:
        def fmt(x: float) -> str:
            return str(int(x)) if float(x).is_integer() else f"{x:g}"

        return f"{'(' if self.low_open else '['}{fmt(self.low)}, {fmt(self.high)}]"


MAX_SEED = 2**32 - 1  # numpy's and most tools' seed range; torch takes more
MAX_STEPS = 10**7  # far beyond any run here (the paper's longest stage is ~10^4 steps)
MAX_ROWS = 10**8  # rows a generator or builder is asked for; all are kept in memory
# Bounds of every numeric key. Zero means "off" where the lower bound is 0.
_RANGES: dict[str, _Range] = {
    "seed": _Range(0, MAX_SEED, "a 32-bit seed"),
    "world.records_per_source": _Range(1, MAX_ROWS, "records are generated in memory"),
    "world.products_per_category": _Range(1, 10**6, "the catalog is generated in memory"),
    "world.pseudo_label_error": _Range(0, 1, "a rate"),
    "world.typo_rate": _Range(0, 1, "a rate"),
    "world.general_per_task": _Range(0, MAX_ROWS, "instructions are generated in memory"),
    "world.pretrain_documents": _Range(0, MAX_ROWS, "documents are generated in memory"),
    "data.max_per_task": _Range(1, MAX_ROWS, "rows are built in memory"),
    "data.heldout_per_task": _Range(1, MAX_ROWS, "rows are built in memory"),
    "data.n_negative_labels": _Range(0, 1000, "candidate labels shown in one prompt"),
    "data.max_candidates": _Range(1, 10**4, "candidate labels shown in one prompt"),
    "data.heldin_per_task": _Range(0, MAX_ROWS, "rows are built in memory"),
    "data.heldin_fraction": _Range(0, 0.9, "a share of records; train keeps the rest", low_open=True),
    "tokenizer.vocab_size": _Range(300, 10**6, "256 bytes + specials at least; BLOOM's, the largest "
                                             "here, has 250,880"),
    "tokenizer.min_frequency": _Range(1, 10**9, "a count of occurrences"),
    "train.pretrain_steps": _Range(0, MAX_STEPS, "0 skips the stage; at most 10^7 steps"),
    "train.general_steps": _Range(0, MAX_STEPS, "0 skips the stage; at most 10^7 steps"),
    "train.epochs": _Range(0, 10**4, "passes over EcomInstruct", low_open=True),
    "train.max_steps": _Range(0, MAX_STEPS, "0 = no cap; at most 10^7 steps"),
    "train.lr": _Range(0, 1, "AdamW moves each weight by about lr a step", low_open=True),
    "train.pretrain_lr": _Range(0, 1, "AdamW moves each weight by about lr a step", low_open=True),
    "train.weight_decay": _Range(0, 1, "decoupled decay per unit of lr; above 1 flips the weights' sign"),
    "train.warmup_ratio": _Range(0, 1, "a fraction of the stage's steps, below 1"),
    "train.batch_size": _Range(1, 2**16, "sequences per micro-batch"),
    "train.grad_accum": _Range(1, 2**16, "micro-batches per step"),
    "train.max_length": _Range(16, 2**17, "tokens per sequence"),
    "train.lora_r": _Range(1, 2**12, "a LoRA rank, below the hidden size"),
    "train.lora_alpha": _Range(1, 2**16, "the LoRA scale numerator"),
    "train.log_every": _Range(1, MAX_STEPS, "steps between log lines"),
    "train.save_every": _Range(0, MAX_STEPS, "0 = only at the end"),
    "train.seed": _Range(0, MAX_SEED, "a 32-bit seed"),
    "train.general_lr": _Range(0, 1, "AdamW moves each weight by about lr a step; null = train.lr", low_open=True),
    "train.base_seed": _Range(0, MAX_SEED, "a 32-bit seed; null = train.seed"),
    "train.heldaside_fraction": _Range(0, 0.5, "a share of each stage's rows never trained on; 0 = off"),
    "train.heldaside_max": _Range(1, MAX_ROWS, "rows scored at each evaluation"),
    "train.evals_per_epoch": _Range(1, 10**4, "held-aside evaluations per epoch"),
    "train.patience": _Range(0, 10**4, "evaluations without improvement; 0 = never stop early"),
    "train.min_delta": _Range(0, 0.5, "a relative improvement of the held-aside loss"),
    "eval.batch_size": _Range(1, 2**16, "prompts per generation batch"),
    "eval.num_beams": _Range(1, 64, "beam search width (the paper: 4)"),
    "eval.max_new_tokens": _Range(1, 4096, "answers are short labels or spans; the paper profile uses 164"),
    "eval.max_prompt_tokens": _Range(1, 2**17, "tokens kept of each prompt"),
    "eval.n_per_task": _Range(1, MAX_ROWS, "rows scored per task"),
}
_NULLABLE = ("train.general_lr", "train.base_seed")  # null: fall back to train.lr / train.seed
_LADDER_RANGES = {
    "hidden_size": _Range(1, 2**16, "BLOOM-176B has 14,336"),
    "n_layer": _Range(1, 1024, "BLOOM-176B has 70"),
    "n_head": _Range(1, 1024, "BLOOM-176B has 112"),
}
_LIST_RANGES = {
    "study.seeds": _Range(0, MAX_SEED, "32-bit seeds"),
    "study.task_counts": _Range(1, 10**6, "numbers of training tasks"),
    "study.per_task_counts": _Range(1, MAX_ROWS, "instances per task"),
    "study.lr_grid": _Range(0, 1, "learning rates", low_open=True),
    "study.compute_multipliers": _Range(0, 1000, "multiples of train.max_steps", low_open=True),
}


def _in_range(value: Any, allowed: _Range, key: str, src: str) -> None:
    if value not in allowed:
        what = "an integer" if isinstance(value, int) else "a number"
        raise ConfigError(f"{src}: key {key!r}: expected {what} in {allowed} ({allowed.why}), got {value!r}")


PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def _check(p: Profile, src: str) -> Profile:
    """Impossible values: each check names the key and the allowed range."""

    def need(ok: bool, key: str, what: str) -> None:
        if not ok:
            value = p.to_dict()
            for part in key.split("."):
                value = value[part]
            raise ConfigError(f"{src}: key {key!r}: expected {what}, got {value!r}")

    # the name becomes a folder under .work/ and results/: a path in it would write outside them
    need(isinstance(p.name, str) and PLAIN_NAME.fullmatch(p.name) is not None, "name",
         "a plain name (letters, digits, '.', '_', '-'; starting with a letter or digit; no '/' or '\\')")
    need(p.train.lr > 0, "train.lr", "a positive learning rate")  # the message the tests and users know
    need(p.train.pretrain_lr > 0, "train.pretrain_lr", "a positive learning rate")
    for key, allowed in _RANGES.items():
        section, _, name = key.rpartition(".")
        value = getattr(getattr(p, section) if section else p, name)
        if value is not None or key not in _NULLABLE:
            _in_range(value, allowed, key, src)
    for key, allowed in _LIST_RANGES.items():
        section, name = key.split(".")
        for i, v in enumerate(getattr(getattr(p, section), name)):
            _in_range(v, allowed, f"{key}[{i}]", src)
    need(all(t.count(":") == 1 for t in p.data.heldin_tasks or []), "data.heldin_tasks", "'Dataset:kind' entries")
    need(len(p.model.ladder) > 0, "model.ladder", "at least one model size")
    names = [s.name for s in p.model.ladder]
    need(len(set(names)) == len(names), "model.ladder", "unique size names")
    for i, s in enumerate(p.model.ladder):
        for name, allowed in _LADDER_RANGES.items():
            _in_range(getattr(s, name), allowed, f"model.ladder[{i}].{name}", src)
        need(s.hidden_size % s.n_head == 0, "model.ladder", f"hidden_size divisible by n_head in entry {i} ({s.name})")
        if s.epochs is not None:
            _in_range(s.epochs, _RANGES["train.epochs"], f"model.ladder[{i}].epochs", src)
    need(p.model.default_size in names, "model.default_size", f"one of the ladder's sizes {names}")
    need(len(p.study.seeds) > 0, "study.seeds", "at least one seed")
    return p


# --------------------------------------------------------------------------------------------------
# Public API


def profile_path(name_or_path: str | os.PathLike) -> Path:
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml"):
        return p
    return CONFIG_DIR / f"{name_or_path}.yaml"


def from_dict(data: dict, src: str = "<dict>") -> Profile:
    if not isinstance(data, dict):
        raise ConfigError(f"{src}: expected a mapping of profile keys, got {type(data).__name__}")
    return _check(_build(Profile, data, "", src), src)


class _StrictLoader(yaml.SafeLoader):
    """safe_load that refuses a key given twice in one mapping (PyYAML silently keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not isinstance(key, typing.Hashable):
                continue  # PyYAML's own construct_mapping reports it
            if key in seen:
                raise ConfigError(f"{self.name}, line {line}: key {key!r} is given twice "
                                  f"(first on line {seen[key]}); keep one")
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def _load_yaml(text: str, name: str) -> Any:
    loader = _StrictLoader(text)
    loader.name = name
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _read_yaml(path: Path) -> dict:
    """The profile file's mapping; ConfigError naming the file and line for bytes that are not a profile."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}, line {line}: not UTF-8 ({exc.reason} at byte {exc.start}); "
                          "save the profile as UTF-8") from None
    try:
        data = _load_yaml(text, str(path))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{line}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if data is None:  # an empty file is a mistake, not "all defaults"
        raise ConfigError(f"{path}: the profile is empty; expected a mapping of profile keys "
                          f"({', '.join(f.name for f in dataclasses.fields(Profile))})")
    return data


def load_profile(name_or_path: str | os.PathLike, overrides: dict | list | None = None) -> Profile:
    """Load ``configs/<name>.yaml`` (or a YAML path) and apply overrides.

    ``overrides`` is either a nested dict (``{"train": {"lr": 1e-4}}``), a flat dict of dotted keys
    (``{"train.lr": 1e-4}``) or a list of ``"key=value"`` strings (values parsed as YAML).
    """
    path = profile_path(name_or_path)
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in CONFIG_DIR.glob("*.yaml")))
        raise ConfigError(f"profile {str(name_or_path)!r}: no file {path} (known profiles: {known})")
    profile = from_dict(_read_yaml(path), str(path))
    if overrides:
        profile = apply_overrides(profile, overrides, src=f"override of {path}")
    return profile


def parse_override(item: str) -> tuple[str, Any]:
    if "=" not in item:
        raise ConfigError(f"override {item!r}: expected key=value, e.g. train.lr=1e-4")
    key, raw = item.split("=", 1)
    try:
        value = _load_yaml(raw, f"override {item!r}") if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return key.strip(), value


def _nest(flat: dict) -> dict:
    nested: dict = {}
    for key, value in flat.items():
        parts = key.split(".")
        d = nested
        for part in parts[:-1]:
            nxt = d.setdefault(part, {})
            if not isinstance(nxt, dict):
                raise ConfigError(f"override {key!r}: {part!r} is set both as a value and as a section")
            d = nxt
        if isinstance(value, dict) and isinstance(d.get(parts[-1]), dict):
            d[parts[-1]].update(value)
        else:
            d[parts[-1]] = value
    return nested


def apply_overrides(profile: Profile, overrides: dict | list, src: str = "override") -> Profile:
    if isinstance(overrides, list):
        overrides = dict(parse_override(o) for o in overrides)
    if not isinstance(overrides, dict):
        raise ConfigError(f"{src}: expected a mapping or a list of key=value strings, got {type(overrides).__name__}")
    nested = _nest(overrides)
    return _check(_build(Profile, nested, "", src, base=profile), src)


def from_notebook(name: str = "smoke", **sections: Any) -> Profile:
    """Build the profile inside a notebook from its papermill parameters.

    ``name`` picks ``configs/<name>.yaml``; every other keyword is a top-level profile key (a section
    dict such as ``train={"lr": 1e-4}``, or ``seed=1``). ``None`` means "keep the profile's value", so a
    notebook's parameters cell can default every section to ``None``. papermill's ``-f
    configs/cpu.yaml`` injects exactly these names. The environment variable ``ECOMLIB_PROFILE``
    replaces the default ``smoke`` name (the test command uses it to run notebooks cheaply).
    """
    if not isinstance(name, str):
        raise ConfigError(f"notebook parameter 'name': expected a profile name string, got {name!r}")
    given = {k: v for k, v in sections.items() if v is not None}
    return load_profile(name, given or None) if given else load_profile(name)
