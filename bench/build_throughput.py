"""Throughput and peak memory of ``ecomlib build-data`` at paper size.

The paper's EcomInstruct has ~134 tasks and ~2.5M instances before the per-task cap of 800. We scale
the synthetic world's ``records_per_source`` until the stream holds about that many instances, build
once (writing every output), and print instances/s, peak RSS, and last a ratio line against the
budget (10 minutes, 3 GB). Usage::

    python bench/build_throughput.py [--records-per-source 14000] [--profile cpu]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

BUDGET_S = 600.0
BUDGET_RSS_MB = 3 * 1024.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="cpu")
    ap.add_argument("--records-per-source", type=int, default=14000)
    ap.add_argument("--max-per-task", type=int, default=800)
    ap.add_argument("--heldout-per-task", type=int, default=500)
    args = ap.parse_args(argv)

    from ecomlib.config import load_profile
    from ecomlib.instruct import build

    profile = load_profile(args.profile, [
        "data.world=synthetic", f"world.records_per_source={args.records_per_source}",
        f"data.max_per_task={args.max_per_task}", f"data.heldout_per_task={args.heldout_per_task}",
    ])
    with tempfile.TemporaryDirectory(prefix="ecomlib-bench-") as tmp:
        t0 = time.perf_counter()
        target = build(profile, Path(tmp), progress=False)
        wall = time.perf_counter() - t0
        stats = json.loads((target / "stats.json").read_text(encoding="utf-8"))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB
    instances = sum(stats["unique_instances_before_cap"].values())
    records = sum(stats["records_read"].values())
    print(f"profile {args.profile}, records_per_source {args.records_per_source}")
    print(f"tasks: {len(stats['tasks'])} ({stats['train']['tasks']} train, {stats['heldout']['tasks']} held-out)")
    print(f"records read: {records}; unique instances before cap: {instances}")
    print(f"rows: train {stats['train']['rows']}, held-out {stats['heldout']['rows']}")
    print(f"wall: {wall:.1f} s; {instances / wall:.0f} instances/s; {records / wall:.0f} records/s")
    print(f"peak RSS: {peak_mb:.0f} MB")
    print(f"ratio: wall/budget = {wall / BUDGET_S:.3f} (budget {BUDGET_S:.0f} s), "
          f"peak_rss/budget = {peak_mb / BUDGET_RSS_MB:.3f} (budget {BUDGET_RSS_MB:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
