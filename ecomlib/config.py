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
import os
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
        if isinstance(value, str):
            # PyYAML reads "2e-5" (no dot) as a string; accept any float literal.
            try:
                return float(value)
            except ValueError:
                raise fail() from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise fail()
        return float(value)
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


def _check(p: Profile, src: str) -> Profile:
    """Impossible values: each check names the key and the allowed range."""

    def need(ok: bool, key: str, what: str) -> None:
        if not ok:
            value = p.to_dict()
            for part in key.split("."):
                value = value[part]
            raise ConfigError(f"{src}: key {key!r}: expected {what}, got {value!r}")

    need(p.seed >= 0, "seed", "a non-negative integer")
    need(p.world.records_per_source > 0, "world.records_per_source", "a positive integer")
    need(p.world.products_per_category > 0, "world.products_per_category", "a positive integer")
    need(0.0 <= p.world.pseudo_label_error <= 1.0, "world.pseudo_label_error", "a rate in [0, 1]")
    need(0.0 <= p.world.typo_rate <= 1.0, "world.typo_rate", "a rate in [0, 1]")
    need(p.world.general_per_task >= 0, "world.general_per_task", "a non-negative integer")
    need(p.world.pretrain_documents >= 0, "world.pretrain_documents", "a non-negative integer")
    need(p.data.max_per_task > 0, "data.max_per_task", "a positive integer")
    need(p.data.heldout_per_task > 0, "data.heldout_per_task", "a positive integer")
    need(p.data.n_negative_labels >= 0, "data.n_negative_labels", "a non-negative integer")
    need(p.data.max_candidates > 0, "data.max_candidates", "a positive integer")
    need(p.data.heldin_per_task >= 0, "data.heldin_per_task", "a non-negative integer")
    need(0.0 < p.data.heldin_fraction < 1.0, "data.heldin_fraction", "a share in (0, 1)")
    need(all(t.count(":") == 1 for t in p.data.heldin_tasks or []), "data.heldin_tasks", "'Dataset:kind' entries")
    need(p.tokenizer.vocab_size >= 300, "tokenizer.vocab_size", "an integer >= 300 (256 bytes + specials)")
    need(p.tokenizer.min_frequency >= 1, "tokenizer.min_frequency", "a positive integer")
    need(len(p.model.ladder) > 0, "model.ladder", "at least one model size")
    names = [s.name for s in p.model.ladder]
    need(len(set(names)) == len(names), "model.ladder", "unique size names")
    for i, s in enumerate(p.model.ladder):
        need(s.hidden_size > 0 and s.n_layer > 0 and s.n_head > 0, f"model.ladder", f"positive sizes in entry {i}")
        need(s.hidden_size % s.n_head == 0, "model.ladder", f"hidden_size divisible by n_head in entry {i} ({s.name})")
    need(p.model.default_size in names, "model.default_size", f"one of the ladder's sizes {names}")
    t = p.train
    need(t.pretrain_steps >= 0, "train.pretrain_steps", "a non-negative integer")
    need(t.general_steps >= 0, "train.general_steps", "a non-negative integer")
    need(t.epochs > 0, "train.epochs", "a positive number")
    need(t.max_steps >= 0, "train.max_steps", "a non-negative integer")
    need(t.lr > 0, "train.lr", "a positive learning rate")
    need(t.pretrain_lr > 0, "train.pretrain_lr", "a positive learning rate")
    need(t.weight_decay >= 0, "train.weight_decay", "a non-negative number")
    need(0.0 <= t.warmup_ratio < 1.0, "train.warmup_ratio", "a ratio in [0, 1)")
    need(t.batch_size > 0, "train.batch_size", "a positive integer")
    need(t.grad_accum > 0, "train.grad_accum", "a positive integer")
    need(t.max_length >= 16, "train.max_length", "an integer >= 16")
    need(t.lora_r > 0, "train.lora_r", "a positive integer")
    need(t.log_every > 0, "train.log_every", "a positive integer")
    need(t.save_every >= 0, "train.save_every", "a non-negative integer")
    e = p.eval
    need(e.batch_size > 0, "eval.batch_size", "a positive integer")
    need(e.num_beams > 0, "eval.num_beams", "a positive integer")
    need(e.max_new_tokens > 0, "eval.max_new_tokens", "a positive integer")
    need(e.max_prompt_tokens > 0, "eval.max_prompt_tokens", "a positive integer")
    need(e.n_per_task > 0, "eval.n_per_task", "a positive integer")
    need(len(p.study.seeds) > 0, "study.seeds", "at least one seed")
    need(all(k > 0 for k in p.study.task_counts), "study.task_counts", "positive integers")
    need(all(k > 0 for k in p.study.per_task_counts), "study.per_task_counts", "positive integers")
    need(all(0 < x <= 1 for x in p.study.lr_grid), "study.lr_grid", "learning rates in (0, 1]")
    need(all(0 < x <= 1000 for x in p.study.compute_multipliers), "study.compute_multipliers", "multipliers in (0, 1000]")
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


def load_profile(name_or_path: str | os.PathLike, overrides: dict | list | None = None) -> Profile:
    """Load ``configs/<name>.yaml`` (or a YAML path) and apply overrides.

    ``overrides`` is either a nested dict (``{"train": {"lr": 1e-4}}``), a flat dict of dotted keys
    (``{"train.lr": 1e-4}``) or a list of ``"key=value"`` strings (values parsed as YAML).
    """
    path = profile_path(name_or_path)
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in CONFIG_DIR.glob("*.yaml")))
        raise ConfigError(f"profile {str(name_or_path)!r}: no file {path} (known profiles: {known})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{line}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    profile = from_dict(data, str(path))
    if overrides:
        profile = apply_overrides(profile, overrides)
    return profile


def parse_override(item: str) -> tuple[str, Any]:
    if "=" not in item:
        raise ConfigError(f"override {item!r}: expected key=value, e.g. train.lr=1e-4")
    key, raw = item.split("=", 1)
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
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
