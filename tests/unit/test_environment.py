"""pyproject.toml and environment.yml must pin the same versions (one environment, two installers)."""

import re
import tomllib

import yaml

from ecomlib.config import REPO_ROOT


def _pins(reqs):
    return dict(re.match(r"([A-Za-z0-9_.-]+)==(.+)", r).groups() for r in reqs)


def test_conda_env_matches_pyproject():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    py = _pins(project["dependencies"] + project["optional-dependencies"]["dev"])
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert _pins(pip) == py
    assert py["torch"] == "2.13.0"
