"""``ecomlib build-data``: build EcomInstruct (train + held-out) for a profile and world."""

from __future__ import annotations

import json

from ecomlib.cli import OutputSpec, add_profile_args
from ecomlib.config import load_profile
from ecomlib.instruct.builder import build

# OUT/ecominstruct is rebuilt as a whole: never into a user folder that already has one
OUTPUT = OutputSpec("out", "dir", replaces=("ecominstruct",))


def add_arguments(parser) -> None:
    add_profile_args(parser)
    parser.add_argument("--world", choices=("synthetic", "open"), default=None,
                        help="data world (default: the profile's data.world)")
    parser.add_argument("--out", required=True, help="output folder; the build goes to OUT/ecominstruct")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args) -> int:
    overrides = list(args.overrides or [])
    if args.world:
        overrides.append(f"data.world={args.world}")
    profile = load_profile(args.profile, overrides or None)
    target = build(profile, args.out, progress=not args.no_progress)
    stats = json.loads((target / "stats.json").read_text(encoding="utf-8"))
    print(
        f"{target}: train {stats['train']['rows']} rows / {stats['train']['tasks']} tasks, "
        f"held-out {stats['heldout']['rows']} rows / {stats['heldout']['tasks']} tasks, "
        f"held-in {stats['heldin']['rows']} rows / {stats['heldin']['tasks']} tasks "
        f"(fingerprint {stats['fingerprint']})"
    )
    return 0
