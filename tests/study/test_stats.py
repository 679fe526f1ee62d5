import numpy as np
import pytest

from ecomlib.errors import ConfigError, DataError
from ecomlib.study.stats import StatTerm, paired_bootstrap


def rep(**tasks):
    """One seed replicate: task -> rougeL_ws values."""
    return {t: {"rougeL_ws": np.asarray(v, dtype=float)} for t, v in tasks.items()}


def contrast(a="A", b="B", tasks=("T",)):
    return [StatTerm(1.0, a, tasks), StatTerm(-1.0, b, tasks)]


def test_bernoulli_against_a_constant_matches_the_normal_interval():
    v = np.random.default_rng(0).integers(0, 2, 400) * 100.0
    arms = {"A": [rep(T=v)], "B": [rep(T=np.full(400, 30.0))]}
    res = paired_bootstrap(arms, contrast(), B=4000, seed=1)
    p = v.mean() / 100
    assert res["delta"] == pytest.approx(v.mean() - 30.0)
    half = 1.96 * np.sqrt(p * (1 - p) / 400) * 100  # about 4.9
    assert (res["ci_high"] - res["ci_low"]) / 2 == pytest.approx(half, rel=0.1)
    assert (res["ci_high"] + res["ci_low"]) / 2 == pytest.approx(res["delta"], abs=0.5)
    assert res["n_seeds"] == {"A": 1, "B": 1} and res["B"] == 4000 and res["seed"] == 1


def test_identical_arms_give_a_zero_interval():
    v = np.random.default_rng(1).random(50) * 100
    res = paired_bootstrap({"A": [rep(T=v)], "B": [rep(T=v.copy())]}, contrast())
    assert (res["delta"], res["ci_low"], res["ci_high"]) == (0.0, 0.0, 0.0)


def test_pairing_cancels_instance_difficulty():
    v = np.random.default_rng(2).random(80) * 100  # widely varying instances
    res = paired_bootstrap({"A": [rep(T=v + 2.0)], "B": [rep(T=v)]}, contrast())
    assert res["delta"] == pytest.approx(2.0)
    assert res["ci_low"] == pytest.approx(2.0) and res["ci_high"] == pytest.approx(2.0)


def test_seed_resampling_widens_the_interval_when_seeds_differ():
    v = np.random.default_rng(3).random(100) * 10  # small instance noise: the seed spread dominates
    const = {"B": [rep(T=np.full(100, 50.0))]}
    same = paired_bootstrap({"A": [rep(T=v + 5.0)] * 3, **const}, contrast())
    spread = paired_bootstrap({"A": [rep(T=v), rep(T=v + 5.0), rep(T=v + 10.0)], **const}, contrast())
    assert spread["delta"] == pytest.approx(same["delta"])
    assert spread["ci_high"] - spread["ci_low"] > 3 * (same["ci_high"] - same["ci_low"])
    assert spread["n_seeds"]["A"] == 3


def test_task_average_and_weights():
    arms = {"A": [rep(T=[10.0, 30.0], U=[100.0])], "B": [rep(T=[0.0, 0.0], U=[50.0])]}
    res = paired_bootstrap(arms, [StatTerm(0.5, "A", ("T", "U")), StatTerm(-0.5, "B", ("T", "U"))])
    # A: mean(20, 100) = 60; B: mean(0, 50) = 25; 0.5 * (60 - 25)
    assert res["delta"] == pytest.approx(17.5)


def test_deterministic_and_order_independent():
    g = np.random.default_rng(4)
    arms = {"A": [rep(T=g.random(60), U=g.random(30)) for _ in range(3)],
            "B": [rep(T=g.random(60), U=g.random(30)) for _ in range(2)]}
    terms = contrast(tasks=("T", "U"))
    r1 = paired_bootstrap(arms, terms, seed=5)
    assert paired_bootstrap(arms, terms, seed=5) == r1
    assert paired_bootstrap(arms, terms[::-1], seed=5) == r1
    assert paired_bootstrap(dict(reversed(list(arms.items()))), contrast(tasks=("U", "T")), seed=5)["ci_low"] \
        == pytest.approx(r1["ci_low"])
    assert paired_bootstrap(arms, terms, seed=6)["ci_low"] != r1["ci_low"]


def test_unpaired_inputs_are_refused():
    arms = {"A": [rep(T=np.zeros(10))], "B": [rep(T=np.zeros(11))]}
    with pytest.raises(DataError, match="same instances"):
        paired_bootstrap(arms, contrast())
    with pytest.raises(DataError, match="no 'rougeL_ws' values for task 'V'"):
        paired_bootstrap(arms, contrast(tasks=("V",)))
    with pytest.raises(DataError, match="arm 'C'"):
        paired_bootstrap(arms, contrast(b="C"))
    with pytest.raises(ConfigError, match="B=0"):
        paired_bootstrap(arms, contrast(), B=0)
