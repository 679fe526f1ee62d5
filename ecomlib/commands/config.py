"""``ecomlib config``: show the resolved profile, so users see exactly what a run will use."""

from __future__ import annotations

import yaml

from ecomlib.cli import add_profile_args, profile_from_args


def add_arguments(parser) -> None:
    add_profile_args(parser)


def run(args) -> int:
    profile = profile_from_args(args)
    print(yaml.safe_dump(profile.to_dict(), sort_keys=False, allow_unicode=True), end="")
    return 0
