"""The process group of a launched run (``accelerate launch``), torn down before the interpreter is."""

from __future__ import annotations

import atexit

import torch.distributed as dist

_registered = False


def destroy_process_group_at_exit() -> None:
    """Register, once per process, an exit hook that destroys the default process group.

    Why: a process that exits with its gloo group alive can abort while the interpreter finalises ("terminate
    called without an active exception", SIGABRT): gloo's worker threads still hold tensors with Python
    references (pytorch/pytorch#179291). A fresh-clone CI run lost rank 0 of a two-process evaluation this way
    after every answer had been written."""
    global _registered
    if not _registered:
        atexit.register(destroy_process_group)
        _registered = True


def destroy_process_group() -> None:
    """Destroy the default process group if there is one (a no-op otherwise, and on a second call)."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()
