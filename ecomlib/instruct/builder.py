"""Build EcomInstruct: stream every source once, sample each task, render, check, write.

Memory stays flat at any world size: per task we keep a reservoir of at most ``max_per_task``
(held-out: ``heldout_per_task``) unrendered instances, a set of small digests for deduplication
(freed after each source) and the label universe for candidate negatives. Rendering happens after a
source's pass, when its label universes are complete.

Held-out first: its record texts and row inputs are remembered (as digests) so that no training
instance with the same normalised text can slip in, even if two sources share a product title.
The builder then checks the split invariants and raises if any is violated.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from ecomlib import records
from ecomlib.errors import DataError, EcomlibError
from ecomlib.instruct import leak_guard, quality
from ecomlib.instruct.dataset import check_replaceable, is_complete, write_build
from ecomlib.instruct.heldin import heldin_task_names, is_reserved
from ecomlib.instruct.kinds import KIND_FUNCS, Context, Instance
from ecomlib.instruct.render import make_row
from ecomlib.instruct.tasks import KIND_VERSIONS, REGISTRY_VERSION, TaskSpec, registry_for
from ecomlib.instruct.templates import TemplateVariant, split_prompt
from ecomlib.io import refuse_symlink
from ecomlib.progress import tqdm
from ecomlib.recordtypes import RawRecord, SourceSpec
from ecomlib.schema import HELD_IN, ROW_KEYS, UNSEEN_TASK_KINDS
from ecomlib.seeding import stable_seed
from ecomlib.text import normalise

# 2: held-in split (record-level reservation in held-in datasets); 3: quality checks (quality.py) and the
# derivable synthetic world (title parts, extractive summaries, reply guides, visible rating rule);
# 4: the open world drops prompts whose rows disagree on the output (counted in stats.json); 5: the open
# world drops train rows whose text is in an evaluation suite present (instruct/leak_guard.py); 6: sources
# may list their own CoT derivations (SourceSpec.derivations), the open world's four data types, open held-in
BUILDER_VERSION = 6
Reader = Callable[[str], Iterator[RawRecord]]


def digest(*parts: str) -> bytes:
    return hashlib.blake2b("\x00".join(parts).encode("utf-8"), digest_size=12).digest()


class Reservoir:
    """Algorithm R: a uniform sample of ``k`` items from a stream, returned in stream order."""

    def __init__(self, k: int, rng: random.Random):
        self.k, self.rng, self.n = k, rng, 0
        self.items: list[tuple[int, Instance]] = []

    def offer(self, item: Instance) -> None:
        if self.n < self.k:
            self.items.append((self.n, item))
        else:
            j = self.rng.randrange(self.n + 1)
            if j < self.k:
                self.items[j] = (self.n, item)
        self.n += 1

    def sample(self) -> list[Instance]:
        return [it for _, it in sorted(self.items, key=lambda p: p[0])]


@dataclass
class BuildResult:
    registry: list[TaskSpec]
    train: list[dict]
    heldout: list[dict]
    records_read: dict[str, int] = field(default_factory=dict)
    seen_per_task: dict[str, int] = field(default_factory=dict)  # unique instances before the cap
    leak_skipped: dict[str, int] = field(default_factory=dict)  # train records dropped as held-out text
    heldin: list[dict] = field(default_factory=list)  # unseen instances of training tasks
    heldin_reserved: dict[str, int] = field(default_factory=dict)  # records reserved for held-in, per dataset
    heldin_leak_dropped: int = 0  # train rows dropped because their input is a held-in input
    derivability: dict[str, dict] = field(default_factory=dict)  # split -> task -> quality.derivability entry
    conflicts_dropped: dict[str, dict[str, int]] = field(default_factory=dict)  # split -> task -> rows (open world)
    suite_overlap: dict = field(default_factory=dict)  # leak_guard report (open world)


def _answer_key(inst: Instance) -> str:
    return json.dumps(inst.answer, ensure_ascii=False, sort_keys=True)


def _offer(t: TaskSpec, rec: RawRecord, ctx: Context, reservoir: Reservoir, seen: set[bytes],
           universe: set[str], blocked: set[bytes] | None) -> None:
    inst = KIND_FUNCS[t.kind](rec, ctx)
    if inst is None:
        return
    universe.update(inst.gold)
    norm_input = normalise(inst.input)
    if blocked is not None and digest(norm_input) in blocked:
        return
    key = digest(norm_input, _answer_key(inst))
    if key in seen:
        return
    seen.add(key)
    reservoir.offer(inst)


def _sample_source(
    profile, spec: SourceSpec, tasks: list[TaskSpec], read: Reader, cap: int, blocked: set[bytes] | None,
    heldout_texts: set[bytes] | None, result: BuildResult, heldin: frozenset[str] = frozenset(),
) -> tuple[list[dict], list[dict]]:
    """Rows of one source: (train or held-out rows, held-in rows). Records reserved for held-in (only in
    datasets with a held-in task) feed the held-in tasks alone and are not remembered for recombination."""
    seed = profile.seed
    ctx = Context(random.Random(stable_seed(seed, "context", spec.name)))
    hctx = Context(random.Random(stable_seed(seed, "heldin-context", spec.name)))
    reservoirs = {t.name: Reservoir(cap, random.Random(stable_seed(seed, "reservoir", t.name))) for t in tasks}
    held_tasks = [t for t in tasks if t.name in heldin]
    hres = {t.name: Reservoir(profile.data.heldin_per_task, random.Random(stable_seed(seed, "heldin", t.name)))
            for t in held_tasks}
    seen: dict[str, set[bytes]] = {t.name: set() for t in tasks}
    hseen: dict[str, set[bytes]] = {t.name: set() for t in held_tasks}
    universe: dict[str, set[str]] = {t.name: set() for t in tasks}
    n_read = skipped = reserved = 0
    for rec in read(spec.name):
        n_read += 1
        if rec.source != spec.name or rec.data_type != spec.data_type or rec.lang != spec.lang:
            raise DataError(
                f"source {spec.name!r}, record {rec.id!r}: expected source/data_type/lang "
                f"{spec.name}/{spec.data_type}/{spec.lang}, got {rec.source}/{rec.data_type}/{rec.lang}"
            )
        rec.validate()
        norm_text = normalise(rec.text)
        if heldout_texts is not None:
            heldout_texts.add(digest(norm_text))
        if blocked is not None and digest(norm_text) in blocked:
            skipped += 1
            ctx.remember(rec)
            continue
        if held_tasks and is_reserved(seed, spec.name, norm_text, profile.data.heldin_fraction):
            reserved += 1
            for t in held_tasks:
                _offer(t, rec, hctx, hres[t.name], hseen[t.name], universe[t.name], blocked)
            continue
        for t in tasks:
            _offer(t, rec, ctx, reservoirs[t.name], seen[t.name], universe[t.name], blocked)
        ctx.remember(rec)
    result.records_read[spec.name] = n_read
    if blocked is not None:
        result.leak_skipped[spec.name] = skipped
    if held_tasks:
        result.heldin_reserved[spec.name] = reserved
    variant = TemplateVariant.from_data(profile.data)
    rows: list[dict] = []
    for t in tasks:
        result.seen_per_task[t.name] = reservoirs[t.name].n
        for inst in reservoirs[t.name].sample():
            rows.append(make_row(t, inst, universe[t.name], profile.data, variant, seed))
    held_rows = []
    for t in held_tasks:  # rendered with the training template: held-in is the training distribution
        for inst in hres[t.name].sample():
            held_rows.append({**make_row(t, inst, universe[t.name], profile.data, variant, seed), "level": HELD_IN})
    return rows, held_rows


def _finish(rows: list[dict]) -> list[dict]:
    """Drop repeated (normalised prompt + output) within a task, sort by task (stable), number rows.

    Per task, not global: a narrow template makes the same title read identically in two datasets,
    and dropping one of them would let the template ablation change *which* data is trained on."""
    out, keys = [], set()
    for row in sorted(rows, key=lambda r: r["task"]):
        k = digest(row["task"], normalise(row["prompt"]), normalise(row["output"]))
        if k in keys:
            continue
        keys.add(k)
        out.append(row)
    counter: Counter = Counter()
    for row in out:
        row["index"] = counter[row["task"]]
        counter[row["task"]] += 1
    return out


def _input_digest(row: dict) -> bytes:
    return digest(normalise(split_prompt(row["prompt"])["input"]))


def drop_heldin_inputs(train: list[dict], heldin: list[dict]) -> tuple[list[dict], int]:
    """Train rows whose normalised input is also a held-in input (e.g. a title repeated by another
    dataset) are dropped: held-in instances must be unseen."""
    held = {_input_digest(r) for r in heldin}
    kept = [r for r in train if _input_digest(r) not in held]
    return kept, len(train) - len(kept)


def check_heldin(registry: list[TaskSpec], train: list[dict], heldin: list[dict]) -> None:
    """Raise unless every held-in row belongs to a training task and shares no normalised prompt or
    input with train."""
    by_name = {t.name: t for t in registry}
    train_tasks = {r["task"] for r in train}
    train_inputs = {_input_digest(r) for r in train}
    train_prompts = {digest(normalise(r["prompt"])) for r in train}
    for r in heldin:
        t = by_name.get(r["task"])
        if t is None or t.heldout or r["task"] not in train_tasks or r["level"] != HELD_IN:
            raise EcomlibError(f"held-in row {r['task']!r} #{r['index']}: not a training task with level {HELD_IN!r}")
        if _input_digest(r) in train_inputs or digest(normalise(r["prompt"])) in train_prompts:
            raise EcomlibError(f"held-in row {r['task']!r} #{r['index']}: its input or prompt is also in train")
        if tuple(r) != ROW_KEYS:
            raise EcomlibError(f"held-in row of {r['task']!r}: keys {tuple(r)} != schema.ROW_KEYS")


def check_split(registry: list[TaskSpec], train: list[dict], heldout: list[dict]) -> None:
    """Raise unless held-out tasks, held-out datasets (with all their CoT tasks) and unseen task
    kinds are absent from train, and train shares no normalised prompt or input with held-out."""
    by_name = {t.name: t for t in registry}
    held_sets = {t.dataset for t in registry if t.heldout}
    held_prompts = {digest(normalise(r["prompt"])) for r in heldout}
    held_inputs = {digest(normalise(split_prompt(r["prompt"])["input"])) for r in heldout}
    for r in train:
        t = by_name.get(r["task"])
        if t is None or t.heldout or r["dataset"] in held_sets or t.kind in UNSEEN_TASK_KINDS or r["level"]:
            raise EcomlibError(f"train row {r['task']!r} #{r['index']}: a held-out task, dataset or unseen kind reached train")
        if digest(normalise(r["prompt"])) in held_prompts:
            raise EcomlibError(f"train row {r['task']!r} #{r['index']}: prompt also in held-out")
        if digest(normalise(split_prompt(r["prompt"])["input"])) in held_inputs:
            raise EcomlibError(f"train row {r['task']!r} #{r['index']}: input also in held-out")
    for r in heldout:
        if not by_name[r["task"]].heldout:
            raise EcomlibError(f"held-out row {r['task']!r}: task is not held out")
    for r in train + heldout:
        if tuple(r) != ROW_KEYS:
            raise EcomlibError(f"row of {r['task']!r}: keys {tuple(r)} != schema.ROW_KEYS")


def build_rows(profile, sources: list[SourceSpec], read: Reader, progress: bool = False) -> BuildResult:
    """All rows of both splits, in memory (bounded by the per-task caps)."""
    registry = registry_for(sources, read, profile.seed)
    heldin = frozenset(heldin_task_names(profile.data, registry))
    result = BuildResult(registry, [], [])
    tasks_of: dict[str, list[TaskSpec]] = defaultdict(list)
    for t in registry:
        tasks_of[t.dataset].append(t)
    order = sorted(sources, key=lambda s: (not s.heldout, s.name))  # held-out first
    heldout_texts: set[bytes] = set()
    bar = None
    if progress:
        bar = tqdm(total=len(order), desc="build-data: sources", unit="source")
    held_rows: list[dict] = []
    blocked: set[bytes] | None = None
    for spec in order:
        if bar is not None:
            bar.set_postfix_str(spec.name)
        if spec.heldout:
            rows, _ = _sample_source(profile, spec, tasks_of[spec.name], read, profile.data.heldout_per_task,
                                     None, heldout_texts, result)
            held_rows.extend(rows)
        else:
            if blocked is None:  # held-out is complete: freeze what train must never repeat
                blocked = heldout_texts | {digest(normalise(split_prompt(r["prompt"])["input"])) for r in held_rows}
            rows, heldin_rows = _sample_source(profile, spec, tasks_of[spec.name], read, profile.data.max_per_task,
                                               blocked, None, result, heldin)
            result.train.extend(rows)
            result.heldin.extend(heldin_rows)
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    result.heldout = held_rows
    if profile.data.world == "open":  # real annotations may disagree on one prompt; synthetic ones must not
        for split in ("train", "heldout", "heldin"):
            kept, dropped = quality.drop_conflicting(getattr(result, split))
            if dropped:
                setattr(result, split, kept)
                result.conflicts_dropped[split] = dropped
    result.heldout = _finish(result.heldout)
    result.heldin = _finish(result.heldin)
    result.train, result.heldin_leak_dropped = drop_heldin_inputs(result.train, result.heldin)
    if profile.data.world == "open":  # no train row repeats a text of an evaluation suite present
        result.train, result.suite_overlap = leak_guard.guard(result.train)
    result.train = _finish(result.train)
    check_split(registry, result.train, result.heldout)
    check_heldin(registry, result.train, result.heldin)
    splits = {"train": result.train, "heldout": result.heldout, "heldin": result.heldin}
    result.derivability = quality.check_rows(splits, profile.data.world)
    return result


def build_fingerprint(profile) -> str:
    d = {
        "profile": profile.fingerprint("seed", "world", "data"),
        "registry_version": REGISTRY_VERSION,
        "kind_versions": KIND_VERSIONS,
        "builder_version": BUILDER_VERSION,
    }
    return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:12]


def build(profile, out_dir, progress: bool = True) -> Path:
    """Build ``out_dir/ecominstruct`` for the profile's world; skip if a complete build with the same
    fingerprint is already there."""
    target = Path(out_dir) / "ecominstruct"
    refuse_symlink(target)
    fp = build_fingerprint(profile)
    if is_complete(target, fp):
        return target
    check_replaceable(target)  # before the build's work: it would delete a user's file in there
    result = build_rows(profile, records.list_sources(profile), lambda name: records.iter_records(profile, name), progress)
    return write_build(target, result, profile, fp, progress)


def pseudo_error_rates(profile) -> dict[str, dict]:
    """Per pseudo-labelled task of the synthetic world: rows compared, rows whose target differs from the
    one the clean labels give, and that rate. The labeler draws from its own per-record RNG, so a build
    with ``pseudo_label_error=0`` has the same records with clean labels. Rows are paired by (task,
    parent, input): a kind that picks a span or attribute at random may pick another one once an earlier
    label differs, and only the same question asked of both labels measures the labeler."""

    def pseudo_rows(p) -> dict[tuple[str, str], str]:
        sources = [s for s in records.list_sources(p) if s.pseudo]
        result = build_rows(p, sources, lambda name: records.iter_records(p, name))
        return {(r["task"], r["parent"], r["input"]): r["output"] for r in result.train if r["strategy"] == "pseudo"}

    clean_profile = dataclasses.replace(profile, world=dataclasses.replace(profile.world, pseudo_label_error=0.0))
    noisy, clean = pseudo_rows(profile), pseudo_rows(clean_profile)
    out: dict[str, dict] = {}
    for key, output in sorted(noisy.items()):
        if key not in clean:
            continue  # asked only under the noisy labels (another pick, or a missed attribute)
        e = out.setdefault(key[0], {"rows": 0, "wrong": 0})
        e["rows"] += 1
        e["wrong"] += output != clean[key]
    for e in out.values():
        e["rate"] = round(e["wrong"] / e["rows"], 4)
    return out
