"""The exit hook that destroys the process group before the interpreter is torn down (gloo aborts otherwise)."""

import atexit

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
