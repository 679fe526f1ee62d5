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


def test_license_is_an_spdx_string():
    """setuptools deprecates the ``{text = ...}`` table: three warnings in every bootstrap (#24)."""
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "Apache-2.0"
    assert not any(c.startswith("License ::") for c in project.get("classifiers", []))  # setuptools refuses both


def test_pytest_hides_only_the_is_gradient_checkpointing_future_warning():
    """peft reads ``model.is_gradient_checkpointing`` (a deprecated alias in transformers); the test run
    printed its FutureWarning. The filter is that one message: other FutureWarnings still show."""
    import warnings

    from _pytest.config import parse_warning_filter

    filters = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["filterwarnings"]
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        for f in filters:
            warnings.filterwarnings(*parse_warning_filter(f, escape=False))
        from transformers import BloomConfig, BloomForCausalLM

        cfg = BloomConfig(vocab_size=32, hidden_size=8, n_layer=1, n_head=2)
        BloomForCausalLM(cfg).is_gradient_checkpointing  # noqa: B018 - the property warns
        warnings.warn("another deprecation", FutureWarning)
    assert [str(w.message) for w in seen] == ["another deprecation"]
