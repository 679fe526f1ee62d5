"""Throughput and memory of the synthetic world's record streams.

Generates N raw records round-robin over every source, in a child process per mode so each peak RSS is
its own: ``stream`` consumes records lazily (the library's way), ``list`` keeps them all (the naive
baseline). Prints records/s and peak RSS per mode; the last line is the ratio line.

    python bench/world_throughput.py              # 1M streamed, 200k kept in a list
    python bench/world_throughput.py --n 100000 --baseline-n 100000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time


def rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def generate(n: int, keep: bool) -> dict:
    from ecomlib.config import WorldConfig
    from ecomlib.world import iter_records, list_sources

    names = [s.name for s in list_sources()]
    cfg = WorldConfig(records_per_source=-(-n // len(names)))
    start_rss = rss_mib()
    t0 = time.perf_counter()
    streams = [iter_records(name, cfg, 0) for name in names]
    kept = []
    made = chars = 0
    rss_at_10 = None
    while made < n:
        for it in streams:
            rec = next(it)
            chars += len(rec.text)
            if keep:
                kept.append(rec)
            made += 1
            if made == n // 10:
                rss_at_10 = rss_mib()
            if made >= n:
                break
    dt = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"n": made, "seconds": dt, "rate": made / dt, "peak_rss_mib": peak, "start_rss_mib": start_rss,
            "rss_at_10pct_mib": rss_at_10, "end_rss_mib": rss_mib(), "chars": chars}


def child(mode: str, n: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", mode, "--n", str(n)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="records to stream (default 1M)")
    ap.add_argument("--baseline-n", type=int, default=200_000, help="records kept in a list (default 200k)")
    ap.add_argument("--child", choices=["stream", "list"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(generate(args.n, keep=args.child == "list")))
        return
    s = child("stream", args.n)
    print(f"stream: {s['n']} records in {s['seconds']:.1f} s = {s['rate']:.0f} records/s; peak RSS "
          f"{s['peak_rss_mib']:.0f} MiB (RSS at 10%: {s['rss_at_10pct_mib']:.0f} MiB, at 100%: {s['end_rss_mib']:.0f} MiB)")
    b = child("list", args.baseline_n)
    print(f"list baseline: {b['n']} records in {b['seconds']:.1f} s = {b['rate']:.0f} records/s; peak RSS "
          f"{b['peak_rss_mib']:.0f} MiB (RSS at 10%: {b['rss_at_10pct_mib']:.0f} MiB, at 100%: {b['end_rss_mib']:.0f} MiB)")
    per_rec_list = (b["end_rss_mib"] - b["start_rss_mib"]) / b["n"]
    growth_stream = s["end_rss_mib"] - s["rss_at_10pct_mib"]
    print(f"ratio: {1e6 / s['rate']:.0f} s per 1M streamed records (budget 180 s); stream/list throughput "
          f"{s['rate'] / b['rate']:.2f}x; RSS growth 10%->100% streaming {growth_stream:+.0f} MiB vs "
          f"{per_rec_list * s['n']:.0f} MiB if {s['n']} records were kept in a list")


if __name__ == "__main__":
    main()
