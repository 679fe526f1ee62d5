"""The exit hook that destroys the process group before the interpreter is torn down (gloo aborts otherwise)."""

import atexit

import pytest

import torch.distributed as dist

from ecomlib import distributed


def test_the_hook_destroys_a_live_group_and_is_registered_once(tmp_path, monkeypatch):
    registered = []
    monkeypatch.setattr(atexit, "register", registered.append)
    monkeypatch.setattr(distributed, "_registered", False)
    distributed.destroy_process_group_at_exit()
    distributed.destroy_process_group_at_exit()
    assert registered == [distributed.destroy_process_group]
    dist.init_process_group("gloo", init_method=f"file://{tmp_path / 'store'}", rank=0, world_size=1)
    assert dist.is_initialized()
    registered[0]()
    assert not dist.is_initialized()
    registered[0]()  # a second call (the user destroyed it already) is a no-op


@pytest.fixture(autouse=True)
def no_group_left_behind():
    yield
    distributed.destroy_process_group()  # a failing test must not leave its group to the next one


def _fake_verb(monkeypatch, tmp_path, run):
    """Register ``ecomlib fake``: a verb module whose ``run`` joins a one-rank gloo group, as a launched verb does."""
    import sys
    import types

    from ecomlib import cli

    module = types.ModuleType("ecomlib_fake_verb")
    module.add_arguments = lambda parser: None

    def joined(args):
        dist.init_process_group("gloo", init_method=f"file://{tmp_path / 'store'}", rank=0, world_size=1)
        return run(args)

    module.run = joined
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(cli.COMMANDS, "fake", (module.__name__, "a test verb"))
    return cli


def test_a_launched_verb_that_succeeds_leaves_the_group_together_before_exit(tmp_path, monkeypatch):
    # the CI failure: rank 1 of a ZeRO-3 fine-tune aborted while the interpreter finalised its live gloo group
    calls = []
    monkeypatch.setattr(dist, "barrier", lambda *a, **k: calls.append("barrier"))
    real_destroy = dist.destroy_process_group
    monkeypatch.setattr(dist, "destroy_process_group", lambda *a, **k: (calls.append("destroy"), real_destroy())[1])
    cli = _fake_verb(monkeypatch, tmp_path, lambda args: 0)
    assert cli.main(["fake"]) == 0
    assert calls == ["barrier", "destroy"]  # every rank waits, then the group goes, before atexit
    assert not dist.is_initialized()


def test_a_failed_verb_waits_for_no_rank(tmp_path, monkeypatch):
    from ecomlib.errors import EcomlibError

    def fail(args):
        raise EcomlibError("bad input")

    monkeypatch.setattr(dist, "barrier", lambda *a, **k: pytest.fail("a barrier would hang on the ranks that did not fail"))
    cli = _fake_verb(monkeypatch, tmp_path, fail)
    assert cli.main(["fake"]) == 2
    assert dist.is_initialized()  # left to the exit hook


def test_a_verb_without_a_group_does_nothing():
    from ecomlib import cli

    assert not dist.is_initialized()
    cli.leave_process_group()
    assert not dist.is_initialized()
