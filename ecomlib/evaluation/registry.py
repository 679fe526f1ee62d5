"""The evaluation suites the study scores every model on, each declared once (``SUITES``).

In the spirit of lm-evaluation-harness's task configs and nanochat's ``Task`` classes, a ``Suite`` says
its name, when it applies to a profile, its instances, its source identity (the sha256 of every file it
reads, for cache keys), how its scores are summarised, and a one-line status note. Every consumer (the
study's evaluation stage, the tables, the results table, the trivial floors) loops over ``SUITES`` or asks
``get_suite(name)``; the data folder is resolved by ``ecomlib.datadir`` alone. The suites:

* ``heldout``: the profile's EcomInstruct held-out split (unseen datasets and tasks), either world;
* ``heldin``: unseen instances of training tasks (``data.heldin_per_task`` > 0);
* ``ecomgpt``: the paper's published test folders present in ``ECOMLIB_DATA_DIR`` (open world);
* ``chinese_ecomqa``: ChineseEcomQA (2025, evaluation only) when its file is there (open world).

Every suite's instances carry the same metadata (task, level, lang, paradigm, task_type: ``EvalInstance``).
May import leaf modules, sources and evaluation modules; never training or study.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ecomlib.datadir import data_dir as default_data_dir
from ecomlib.errors import ConfigError
from ecomlib.evaluation import chinese_ecomqa as cqa
from ecomlib.evaluation.instance import EvalInstance
from ecomlib.evaluation.suites import load_heldout, load_suite
from ecomlib.evaluation.summary import summarize, summarize_heldin
from ecomlib.sources.published_eval import (CHINESE_ECOMQA_FILE, ECOMGPT_SUBDIR, ECOMGPT_TEST_TASKS,
                                            ecomgpt_identity, file_sha256, find_ecomgpt_tasks)


@dataclass(frozen=True)
class Suite:
    """One evaluation suite. Subclasses override what differs; the defaults fit a suite built with the data."""

    name: str
    description: str  # one line for tables and notebooks
    built = False  # (class attribute) reads the profile's EcomInstruct build, so a caller builds it first

    def applies(self, profile) -> bool:
        """Whether the study scores this suite for ``profile``."""
        return True

    def instances(self, profile, data_dir: Path | None) -> list[EvalInstance]:
        """The instances scored, sorted by (task, index); ``data_dir``: the built EcomInstruct folder
        (``ecomlib.study.pipeline.build_data``; None for a suite that is not ``built``). [] when the suite
        does not apply."""
        raise NotImplementedError

    def source(self, profile) -> dict:
        """The bytes the suite reads beyond the build (file sha256s), for cache keys; {} for built suites."""
        return {}

    def summarize(self, scores: dict) -> dict:
        """The summary numbers of one ``scores.json`` of this suite."""
        return summarize(scores)

    def add_to_scores(self, scores: dict, instances: Sequence[EvalInstance],
                      predictions: dict[tuple[str, int], str]) -> None:
        """Anything the suite adds to ``scores.json`` beyond the generic per-task metrics (default: nothing)."""

    def status_note(self, profile) -> str:
        """One line: what was (not) scored and why."""
        return f"{self.name}: {self.description}"


@dataclass(frozen=True)
class BuiltSplit(Suite):
    """A split of the profile's own EcomInstruct build (``ecominstruct/<file>``)."""

    file: str = "heldout.jsonl"
    built = True

    def instances(self, profile, data_dir: Path | None) -> list[EvalInstance]:
        if not self.applies(profile):
            return []
        return load_heldout(Path(data_dir) / "ecominstruct" / self.file, profile.eval.n_per_task)


@dataclass(frozen=True)
class HeldIn(BuiltSplit):
    def applies(self, profile) -> bool:
        return profile.data.heldin_per_task > 0

    def summarize(self, scores: dict) -> dict:
        return summarize_heldin(scores)

    def status_note(self, profile) -> str:
        if not self.applies(profile):
            return f"{self.name}: not scored (data.heldin_per_task is 0: the build has no held-in split)"
        return f"{self.name}: {self.description}, up to {profile.eval.n_per_task} rows per task"


def _data_root() -> Path | None:
    return default_data_dir(required=False)


@dataclass(frozen=True)
class PublishedEcomGPT(Suite):
    """The paper's 12 published test folders, those present under ``ECOMLIB_DATA_DIR``."""

    def root(self) -> Path | None:
        """The ``ecom_instruct_v1`` folder under ``ECOMLIB_DATA_DIR``, or None when there is none."""
        d = _data_root()
        return d / ECOMGPT_SUBDIR if d is not None and (d / ECOMGPT_SUBDIR).is_dir() else None

    def status(self) -> dict[str, list[str]]:
        """``{"present": [...], "absent": [...]}``: the paper's 12 test folders found (or not)."""
        root = self.root()
        found = find_ecomgpt_tasks(root) if root is not None else {}
        return {"present": [t for t in ECOMGPT_TEST_TASKS if t in found],
                "absent": [t for t in ECOMGPT_TEST_TASKS if t not in found]}

    def applies(self, profile) -> bool:
        return profile.data.world == "open" and bool(self.status()["present"])

    def instances(self, profile, data_dir: Path | None = None) -> list[EvalInstance]:
        """``eval.n_per_task`` rows per present folder, candidate labels sampled with the profile's seed."""
        if not self.applies(profile):
            return []
        return load_suite("ecomgpt", self.root(), n_per_task=profile.eval.n_per_task, seed=profile.seed,
                          tasks=self.status()["present"])

    def source(self, profile) -> dict:
        """Each present folder's files and their sha256 (verified against the pins first), so a changed file
        is scored afresh whatever its folder's name."""
        if not self.applies(profile):
            return {}
        return ecomgpt_identity(self.root(), self.status()["present"])

    def status_note(self, profile) -> str:
        if profile.data.world != "open":
            return (f"published EcomGPT test folders: not scored (only the open world scores them, when "
                    f"ECOMLIB_DATA_DIR holds some; this run is the {profile.data.world} world)")
        status = self.status()
        n, total = len(status["present"]), len(status["present"]) + len(status["absent"])
        absent = f"; absent from ECOMLIB_DATA_DIR: {', '.join(status['absent'])}" if status["absent"] else ""
        return (f"scored on {n} of the paper's {total} published test folders "
                f"({', '.join(status['present']) or 'none'}){absent}")


@dataclass(frozen=True)
class ChineseEcomQA(Suite):
    """ChineseEcomQA: ``eval.n_per_task`` rows per task code, each code by its headline metric."""

    def path(self) -> Path | None:
        """The file under ``ECOMLIB_DATA_DIR``, or None when there is none."""
        d = _data_root()
        return d / CHINESE_ECOMQA_FILE if d is not None and (d / CHINESE_ECOMQA_FILE).is_file() else None

    def applies(self, profile) -> bool:
        return profile.data.world == "open" and self.path() is not None

    def instances(self, profile, data_dir: Path | None = None) -> list[EvalInstance]:
        if not self.applies(profile):
            return []
        return cqa.load(self.path(), n_per_task=profile.eval.n_per_task)

    def source(self, profile) -> dict:
        """The file (relative to the data dir, so the key does not vary by machine) and its sha256."""
        if not self.applies(profile):
            return {}
        return {"file": CHINESE_ECOMQA_FILE.as_posix(), "sha256": file_sha256(self.path())}

    def summarize(self, scores: dict) -> dict:
        """Each code's headline metric and their mean (``"<code> <metric>"``, ``"mean"``)."""
        return cqa.headline_row(scores[cqa.SUITE]) if cqa.SUITE in scores else {}

    def add_to_scores(self, scores: dict, instances: Sequence[EvalInstance],
                      predictions: dict[tuple[str, int], str]) -> None:
        cqa.add_summary(scores, instances, predictions)  # as `ecomlib score --suite chinese_ecomqa` adds it

    def status_note(self, profile) -> str:
        if profile.data.world != "open":
            return ("ChineseEcomQA: not scored (only the open world scores it, when ECOMLIB_DATA_DIR holds "
                    f"{CHINESE_ECOMQA_FILE.as_posix()}; this run is the {profile.data.world} world)")
        if self.path() is None:
            return f"ChineseEcomQA: not scored ({CHINESE_ECOMQA_FILE.as_posix()} is not in ECOMLIB_DATA_DIR)"
        codes = sorted({i.meta["code"] for i in self.instances(profile)})
        return (f"ChineseEcomQA: scored on up to {profile.eval.n_per_task} rows of each of {len(codes)} task codes "
                f"({', '.join(codes)}), evaluation only (never trained on)")


SUITES: dict[str, Suite] = {s.name: s for s in (
    BuiltSplit("heldout", "the EcomInstruct held-out split: unseen datasets and unseen tasks"),
    HeldIn("heldin", "unseen instances of training tasks (the held-in split)", file="heldin.jsonl"),
    PublishedEcomGPT("ecomgpt", "the paper's published EcomGPT test folders present in ECOMLIB_DATA_DIR"),
    ChineseEcomQA("chinese_ecomqa", "ChineseEcomQA (2025), evaluation only: each task code by its headline metric"),
)}


def get_suite(name: str) -> Suite:
    """The suite called ``name``; a ConfigError listing the names for any other."""
    try:
        return SUITES[name]
    except (KeyError, TypeError):
        raise ConfigError(f"evaluation suite {name!r}: expected one of {', '.join(SUITES)}") from None


def suites_for(profile) -> list[Suite]:
    """The suites that apply to ``profile``, in ``SUITES``' order."""
    return [s for s in SUITES.values() if s.applies(profile)]
