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


def test_a_ladder_entry_may_set_its_own_fine_tune_epochs(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("name: x\ntrain:\n  epochs: 2.5\nmodel:\n  default_size: a\n  ladder:\n"
                 "    - {name: a, hidden_size: 32, n_layer: 1, n_head: 4, epochs: 4}\n"
                 "    - {name: b, hidden_size: 32, n_layer: 1, n_head: 4}\n")
    p = load_profile(f)
    assert p.size("a").epochs == 4.0 and p.size("b").epochs is None
    assert p.finetune_profile("a").train.epochs == 4.0
    assert p.finetune_profile("a").train.lr == p.train.lr and p.train.epochs == 2.5  # nothing else, no mutation
    assert p.finetune_profile("b") is p


@pytest.mark.parametrize("value, expected", [("0", "model.ladder[0].epochs"), ("many", "expected a number")])
def test_a_bad_ladder_epochs_names_the_entry(tmp_path, value, expected):
    f = tmp_path / "bad.yaml"
    f.write_text(f"name: x\nmodel:\n  default_size: a\n  ladder:\n    - {{name: a, hidden_size: 32, n_layer: 1, n_head: 4, epochs: {value}}}\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml") as err:
        load_profile(f)
    assert expected in str(err.value)
