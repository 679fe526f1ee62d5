"""Checkpoints with exact resume: model, optimizer, scheduler and RNG states plus our ``state.json``
(step, history, token counts).

Every file of a checkpoint is in a format that cannot run code when read (safetensors for tensors, JSON
for the rest): ``--resume`` never unpickles anything, so a crafted checkpoint cannot execute code
(accelerate's ``save_state`` pickles the scheduler, optimizer and RNG states). A checkpoint listing any
other file is refused. Single-process and DDP runs are checkpointed; under DeepSpeed or FSDP the state is
sharded in those engines' own pickle-based files, so such runs save only at the end (one warning line).

A checkpoint is built in a hidden temporary folder and renamed into place only after its
``manifest.json`` (sha256 of every file) is written, so a folder named ``step-N`` is complete. On load
every hash is checked; a damaged or partial checkpoint raises ``DataError`` naming the file, and is
never used silently.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import random
import re
import shutil
import sys
from pathlib import Path

from ecomlib.errors import ConfigError, DataError
from ecomlib.io import atomic_write_json, refuse_symlink, sha256_file

MANIFEST = "manifest.json"
STATE = "state.json"
MODEL = "model.safetensors"
OPTIMIZER = ("optimizer.safetensors", "optimizer.json")
SCHEDULER = "scheduler.json"
_REQUIRED = (STATE, MODEL, *OPTIMIZER, SCHEDULER, "rng_0.safetensors", "rng_0.json")
_NAME = re.compile(r"^step-(\d+)$")
# every name a checkpoint may hold: anything else (a pickle) is refused before a byte of it is read
_KNOWN = re.compile(r"^(manifest\.json|state\.json|model\.safetensors|optimizer\.(safetensors|json)|scheduler\.json"
                    r"|rng_\d+\.(safetensors|json))$")


def list_checkpoints(root: Path) -> list[Path]:
    """Complete-looking checkpoint folders, oldest first (temporary ``.step-N.tmp`` folders excluded)."""
    refuse_symlink(root)
    if not root.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in root.iterdir() if p.is_dir() and (m := _NAME.match(p.name))]
    return [p for _, p in sorted(found)]


def _sharded(accelerator) -> bool:
    from accelerate.utils import DistributedType

    return accelerator.distributed_type in (DistributedType.DEEPSPEED, DistributedType.FSDP)


def _checkpointable(accelerator) -> bool:
    if not _sharded(accelerator):
        return True
    if accelerator.is_main_process and not getattr(accelerator, "_ecomlib_no_ckpt_said", False):
        print(f"train: warning: no checkpoints under {accelerator.distributed_type.value} (its sharded state has "
              "no code-free format here); this run saves its model at the end only", file=sys.stderr)
    accelerator._ecomlib_no_ckpt_said = True
    return False


def save_checkpoint(accelerator, root: Path, step: int, state: dict, keep: int = 1) -> Path | None:
    """Every process calls this (its own RNG state); the main process writes the rest, seals and renames."""
    if not _checkpointable(accelerator):
        return None
    refuse_symlink(root)
    final = root / f"step-{step:06d}"
    tmp = root / f".step-{step:06d}.tmp"
    with disk_errors(root):
        if accelerator.is_main_process:
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
        accelerator.wait_for_everyone()
        _save_state(accelerator, tmp)
        accelerator.wait_for_everyone()
        if accelerator.is_main_process:
            atomic_write_json(tmp / STATE, state)
            files = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if p.is_file())
            manifest = {"step": step, "files": {f: sha256_file(tmp / f) for f in files}}
            atomic_write_json(tmp / MANIFEST, manifest)
            shutil.rmtree(final, ignore_errors=True)
            os.replace(tmp, final)
            for old in list_checkpoints(root)[:-keep]:
                shutil.rmtree(old, ignore_errors=True)
    accelerator.wait_for_everyone()
    return final


def verify_checkpoint(path: Path) -> dict:
    """Check the manifest and every hash; return ``state.json``. Raises DataError naming the bad file."""
    mpath = path / MANIFEST
    if not mpath.is_file():
        raise DataError(f"{mpath}: missing; checkpoint {path} is partial (delete it to resume from an earlier one)")
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
        files = manifest["files"]
        if not isinstance(files, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise DataError(f"{mpath}: not a valid checkpoint manifest (expected JSON with a 'files' mapping)") from None
    for name in sorted(files):
        if not _KNOWN.match(str(name)):
            raise DataError(f"{path / str(name)}: not a file ecomlib writes in a checkpoint (resume reads only "
                            "safetensors and JSON, never a pickle); train without --resume to start over")
    missing = [n for n in _REQUIRED if n not in files]
    if missing:
        raise DataError(f"{mpath}: lists no {missing[0]}; checkpoint {path} is partial")
    for name, digest in sorted(files.items()):
        f = path / name
        if not f.is_file():
            raise DataError(f"{f}: missing from checkpoint {path} (listed in {MANIFEST})")
        if sha256_file(f) != digest:
            raise DataError(f"{f}: sha256 does not match {MANIFEST}; checkpoint {path} is corrupted")
    return json.loads((path / STATE).read_text(encoding="utf-8"))


def load_checkpoint(accelerator, path: Path) -> dict:
    if _sharded(accelerator):
        raise ConfigError(f"{path}: cannot resume under {accelerator.distributed_type.value} (checkpoints are "
                          "written by single-process and DDP runs); train without --resume, or resume with DDP")
    state = verify_checkpoint(path)
    _load_state(accelerator, path)
    return state


# ------------------------------------------------------------------------------------------------
# The resumable state as safetensors + JSON. The prepared model, optimizer and the scheduler registered
# with ``register_for_checkpointing`` are the ones accelerate's own save_state would write.

def _objects(accelerator):
    (model,), (optimizer,), (scheduler,) = accelerator._models, accelerator._optimizers, accelerator._custom_objects
    return accelerator.unwrap_model(model), optimizer, scheduler


def _encode(obj):
    """JSON for optimizer param groups: tuples (AdamW's betas) are kept as tuples."""
    if isinstance(obj, tuple):
        return {"__tuple__": [_encode(v) for v in obj]}
    if isinstance(obj, list):
        return [_encode(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _encode(v) for k, v in obj.items()}
    return obj


def _decode(obj):
    if isinstance(obj, dict):
        if set(obj) == {"__tuple__"}:
            return tuple(_decode(v) for v in obj["__tuple__"])
        return {k: _decode(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decode(v) for v in obj]
    return obj


def _save_state(accelerator, folder: Path) -> None:
    import numpy as np
    import safetensors.torch as st
    import torch

    rank = accelerator.process_index
    if accelerator.is_main_process:
        model, optimizer, scheduler = _objects(accelerator)
        st.save_model(model, str(folder / MODEL))
        sd = optimizer.state_dict()
        tensors, values = {}, {}
        for pid, entry in sd["state"].items():
            for key, v in entry.items():
                if torch.is_tensor(v):
                    tensors[f"{pid}.{key}"] = v.detach().cpu().contiguous()
                else:
                    values.setdefault(str(pid), {})[key] = v
        st.save_file(tensors, str(folder / OPTIMIZER[0]))
        atomic_write_json(folder / OPTIMIZER[1], {"param_groups": _encode(sd["param_groups"]), "values": values})
        atomic_write_json(folder / SCHEDULER, scheduler.state_dict())
    rng = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        rng.update({f"cuda.{i}": s for i, s in enumerate(torch.cuda.get_rng_state_all())})
    st.save_file(rng, str(folder / f"rng_{rank}.safetensors"))
    name, keys, pos, has_gauss, gauss = np.random.get_state()
    atomic_write_json(folder / f"rng_{rank}.json", {"python": _encode(random.getstate()),
                                                    "numpy": [name, keys.tolist(), pos, has_gauss, gauss]})


def _load_state(accelerator, folder: Path) -> None:
    import numpy as np
    import safetensors.torch as st
    import torch

    model, optimizer, scheduler = _objects(accelerator)
    st.load_model(model, str(folder / MODEL))
    state: dict = {}
    for key, t in st.load_file(str(folder / OPTIMIZER[0])).items():
        pid, name = key.split(".", 1)
        state.setdefault(int(pid), {})[name] = t
    meta = json.loads((folder / OPTIMIZER[1]).read_text(encoding="utf-8"))
    for pid, entry in meta["values"].items():
        state.setdefault(int(pid), {}).update(entry)
    optimizer.load_state_dict({"state": state, "param_groups": _decode(meta["param_groups"])})
    scheduler.load_state_dict(json.loads((folder / SCHEDULER).read_text(encoding="utf-8")))
    rank = accelerator.process_index
    rng_file = folder / f"rng_{rank}.safetensors"
    if not rng_file.is_file():
        raise DataError(f"{rng_file}: missing (the checkpoint was written by fewer processes than this run has)")
    rng = st.load_file(str(rng_file))
    torch.set_rng_state(rng["torch"])
    if torch.cuda.is_available():
        cuda = [rng[k] for k in sorted((k for k in rng if k.startswith("cuda.")), key=lambda k: int(k[5:]))]
        if cuda:
            torch.cuda.set_rng_state_all(cuda)
    py = json.loads((folder / f"rng_{rank}.json").read_text(encoding="utf-8"))
    random.setstate(_decode(py["python"]))
    name, keys, pos, has_gauss, gauss = py["numpy"]
    np.random.set_state((name, np.array(keys, dtype=np.uint32), pos, has_gauss, gauss))


# ------------------------------------------------------------------------------------------------
# A full disk while writing weights: safetensors and torch report it in their own exception types.

_ERRNO = re.compile(r"code: (\d+)")


@contextlib.contextmanager
def disk_errors(folder: Path):
    """Turn a failed write of weights (``SafetensorError``, torch's ``unexpected pos`` / ``file write failed``)
    or a file-system error on a temporary name into an ``OSError`` naming the user's ``folder``."""
    from safetensors import SafetensorError

    try:
        yield
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror or str(exc), str(folder)) from None
    except SafetensorError as exc:
        m = _ERRNO.search(str(exc))
        code = int(m.group(1)) if m else errno.EIO
        raise OSError(code, os.strerror(code), str(folder)) from None
    except RuntimeError as exc:
        text = str(exc)
        if "unexpected pos" not in text and "file write failed" not in text:
            raise
        raise OSError(errno.EIO, "writing the weights failed (is the disk full?)", str(folder)) from None


# ------------------------------------------------------------------------------------------------
# The run's configuration: recorded with every checkpoint and in the output folder, compared on resume.

RUN_CONFIG = "run_config.json"
# Train fields that do not change what is trained (how often to log or checkpoint).
_NOT_CONFIG = ("log_every", "save_every")


def _digest(chunks) -> str:
    h = hashlib.sha256()
    for c in chunks:
        h.update(c.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()[:16]


def init_identity(init_from) -> str:
    """The starting model: its folder plus a hash of what identifies its weights there (a retrain changes it)."""
    if init_from is None:
        return "random init"
    path = Path(init_from)
    if not path.is_dir():
        return str(init_from)  # a hub id
    marker = next((path / n for n in ("result.json", "model.safetensors", "config.json") if (path / n).is_file()), None)
    return f"{path.resolve()}@{sha256_file(marker)[:16] if marker else 'empty'}"


def run_config(profile, stage: str, size_name: str, init_from, tokenizer, data, model_given: bool) -> dict:
    """Everything that decides what a run trains: resuming under any other value would mix two runs."""
    import dataclasses

    train = {k: v for k, v in dataclasses.asdict(profile.train).items() if k not in _NOT_CONFIG}
    vocab = sorted(tokenizer.get_vocab().items())
    return {
        "stage": stage,
        "size": size_name,
        "model": dataclasses.asdict(profile.size(size_name)),
        "train": train,
        "init": "model object passed in" if model_given else init_identity(init_from),
        "tokenizer": _digest(f"{t}\t{i}" for t, i in vocab),
        "data": _digest(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in data),
    }


def config_diff(recorded: dict, wanted: dict, prefix: str = "") -> list[str]:
    """Dotted keys whose values differ (``train.lr``, ``size``), sorted."""
    out = []
    for k in sorted(set(recorded) | set(wanted)):
        a, b = recorded.get(k), wanted.get(k)
        if isinstance(a, dict) and isinstance(b, dict):
            out += config_diff(a, b, f"{prefix}{k}.")
        elif a != b:
            out.append(f"{prefix}{k}")
    return out


def read_run_config(out_dir: Path) -> dict | None:
    path = Path(out_dir) / RUN_CONFIG
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        raise DataError(f"{path}: not valid JSON (the run's recorded configuration)") from None
