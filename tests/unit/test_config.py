import pytest

from ecomlib.config import PROFILES, apply_overrides, from_notebook, load_profile, profile_path
from ecomlib.errors import ConfigError


@pytest.mark.parametrize("name", PROFILES)
def test_every_profile_loads(name):
    p = load_profile(name)
    assert p.name == name
    assert p.model.default_size in [s.name for s in p.model.ladder]


def test_ladders_have_the_sizes_issues_require():
    assert len(load_profile("cpu").model.ladder) >= 3
    assert len(load_profile("gpu").model.ladder) >= 4
    assert all(s.pretrained for s in load_profile("paper").model.ladder)


def test_override_dotted_and_list():
    p = load_profile("smoke", ["train.lr=1e-4", "data.template=narrow"])
    assert p.train.lr == 1e-4 and p.data.template == "narrow"
    q = apply_overrides(p, {"train": {"batch_size": 3}})
    assert q.train.batch_size == 3 and q.train.lr == 1e-4  # other keys kept


def test_int_accepted_for_float_but_not_bool_for_int():
    assert load_profile("smoke", {"train.lr": 1}).train.lr == 1.0
    with pytest.raises(ConfigError, match="train.batch_size"):
        load_profile("smoke", {"train.batch_size": True})


@pytest.mark.parametrize(
    "yaml_text, key, expected",
    [
        ("name: x\ntrain:\n  lrr: 0.1\n", "train.lrr", "unknown key"),
        ("name: x\ntrain:\n  lr: fast\n", "train.lr", "expected a number"),
        ("name: x\ntrain:\n  lr: -1\n", "train.lr", "positive learning rate"),
        ("name: x\ndata:\n  template: wide\n", "data.template", "one of 'diverse', 'narrow'"),
        ("name: x\nmodel:\n  default_size: huge\n", "model.default_size", "ladder"),
    ],
)
def test_bad_profile_names_file_key_and_expectation(tmp_path, yaml_text, key, expected):
    f = tmp_path / "bad.yaml"
    f.write_text(yaml_text)
    with pytest.raises(ConfigError) as err:
        load_profile(f)
    msg = str(err.value)
    assert str(f) in msg and key in msg and expected in msg


def test_invalid_yaml_names_line(tmp_path):
    f = tmp_path / "broken.yaml"
    f.write_text("name: x\ntrain: [\n")
    with pytest.raises(ConfigError, match="broken.yaml"):
        load_profile(f)


def test_unknown_profile_lists_known():
    with pytest.raises(ConfigError, match="smoke"):
        load_profile("nope")


def test_notebook_parameters_as_papermill_injects_them():
    # papermill -f configs/cpu.yaml injects the YAML's top-level keys as variables
    import yaml

    params = yaml.safe_load(profile_path("cpu").read_text())
    p = from_notebook(**params)
    assert p == load_profile("cpu")
    assert from_notebook("smoke", train={"lr": 0.5}, data=None).train.lr == 0.5
    with pytest.raises(ConfigError, match="train.epochs"):
        from_notebook("smoke", train={"epochs": "three"})


def test_fingerprint_changes_with_params():
    a, b = load_profile("smoke"), load_profile("smoke", ["train.lr=0.5"])
    assert a.fingerprint("data") == b.fingerprint("data")
    assert a.fingerprint("train") != b.fingerprint("train")
