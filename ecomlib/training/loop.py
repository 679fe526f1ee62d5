"""``train_stage``: one training stage (pretrain | general | ecominstruct) with accelerate.

The loop is the same single-process and under ``accelerate launch``. One optimizer step consumes
``grad_accum * num_processes`` micro-batches of a deterministic stream; process r takes its own
``grad_accum`` of them. The loss is normalised by the trained tokens of the whole global batch (summed
across micro-batches and processes), so the update does not depend on how the batch is split.

Speed (each measured in bench/train_step_breakdown.py, none changes a loss beyond float rounding):
logits only at response positions (``logits_to_keep``), torch's fused tanh-GeLU in place of Bloom's
composed one, and fused AdamW; plus length-grouped or packed batches instead of padded random ones;
``train.attention: sdpa`` (gpu/paper profiles) adds torch's fused attention kernels.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F
from ecomlib.progress import tqdm  # bars in the terminal, one summary line in a notebook

from ecomlib.config import Profile
from ecomlib.errors import ConfigError, DataError, EcomlibError
from ecomlib.distributed import destroy_process_group_at_exit
from ecomlib.io import atomic_write_json, atomic_write_jsonl, atomic_write_text, refuse_symlink
from ecomlib.schema import PROMPT_END, PROMPT_ENDS
from ecomlib.seeding import stable_seed
from ecomlib.training import outputs
from ecomlib.training.card import model_card
from ecomlib.training.convergence import BEST_WEIGHTS, EarlyStopping, eval_interval, heldaside_loss, stage_split
from ecomlib.training.checkpoint import (RUN_CONFIG, config_diff, disk_errors, list_checkpoints, load_checkpoint,
                                        read_run_config, run_config, save_checkpoint, verify_checkpoint)
from ecomlib.training.data import (IGNORE, SEED_SEP, MicroBatchStream, ProcessMicroBatches, encode_documents,
                                   encode_instructions, micro_batch_loader)
from ecomlib.training.models import (build_model, count_parameters, enable_fused_gelu, enable_packed_attention,
                                     enable_sdpa_attention, load_model, numel)
from ecomlib.training.tokenizer import load_tokenizer, train_tokenizer

STAGES = ("pretrain", "general", "ecominstruct")
RESULT = "result.json"
HISTORY = "history.jsonl"
MAX_GRAD_NORM = 1.0

# DeepSpeed, when installed, picks its accelerator on first import (accelerate imports it to unwrap a model)
# and on a machine without CUDA prints a warning to stdout; that line would land in notebook outputs and CLI
# stdout. Naming the CPU accelerator, which it would choose anyway, keeps it quiet; a GPU machine is untouched.
if "DS_ACCELERATOR" not in os.environ and not torch.cuda.is_available():
    os.environ["DS_ACCELERATOR"] = "cpu"
# Dense bf16 peak FLOP/s for MFU; matched by substring of the CUDA device name.
PEAK_FLOPS = {"H200": 989e12, "H100": 989e12, "A100": 312e12, "L40S": 362e12, "A10": 125e12, "L4": 121e12, "4090": 165e12}


@dataclass
class TrainResult:
    out_dir: Path
    history: list[dict] = field(default_factory=list)
    final_loss: float = float("nan")
    tokens: dict = field(default_factory=lambda: {"total": 0, "padded": 0, "trained": 0})
    seconds: float = 0.0


def load_result(out_dir: Path) -> TrainResult:
    d = json.loads((Path(out_dir) / RESULT).read_text(encoding="utf-8"))
    history = [json.loads(line) for line in (Path(out_dir) / HISTORY).read_text(encoding="utf-8").splitlines() if line]
    return TrainResult(Path(out_dir), history, d["final_loss"], d["tokens"], d["seconds"])


@dataclass(frozen=True)
class ModelFlops:
    """Training FLOPs the model needs per step (forward + backward = 3x forward), PaLM-style MFU accounting:
    6 x non-embedding parameters per real token, the vocabulary projection only where logits are taken
    (the trained tokens: the loop skips the rest), and causal attention: 6 x layers x hidden x length^2
    per instance (PaLM's 12 x layers x hidden x length per token, halved by the causal mask;
    ``attn_pairs`` = sum of length^2, so padding and cross-instance blocks of packed rows never count)."""

    non_embedding: int
    vocab: int
    hidden: int
    layers: int

    @classmethod
    def of_model(cls, model) -> "ModelFlops":
        emb = model.get_input_embeddings()
        cfg = model.config
        n = count_parameters(model) - numel(emb.weight)  # tied output projection: counted by the vocab term
        return cls(n, emb.num_embeddings, emb.embedding_dim, getattr(cfg, "n_layer", None) or cfg.num_hidden_layers)

    def of(self, real_tokens: float, trained_tokens: float, attn_pairs: float) -> float:
        return (6 * self.non_embedding * real_tokens + 6 * self.vocab * self.hidden * trained_tokens
                + 6 * self.layers * self.hidden * attn_pairs)


def peak_flops() -> float | None:
    if not torch.cuda.is_available():
        return None
    name = torch.cuda.get_device_name()
    return next((v for k, v in PEAK_FLOPS.items() if k in name), None)


def _accelerator(t):
    """An Accelerator that accumulates ``t.grad_accum`` micro-batches per optimizer step (``accumulate()``):
    DDP/FSDP skip the gradient sync and DeepSpeed its step inside the window. The profile's train section is
    the one source of the batch shape, so it overrides what a DeepSpeed config (or its env var) says."""
    from accelerate import Accelerator
    from accelerate.utils import GradientAccumulationPlugin, InitProcessGroupKwargs, parse_flag_from_env

    cuda = torch.cuda.is_available()
    # cpu=True would turn a DeepSpeed launch into plain gloo data parallel; without a GPU DeepSpeed runs on its
    # CPU accelerator, and accelerate finds no backend for it unless told (then it counts 1 process)
    ds_on_cpu = not cuda and parse_flag_from_env("ACCELERATE_USE_DEEPSPEED")
    if ds_on_cpu:
        import deepspeed.ops

        # DeepSpeed's shared-memory CPU collectives are a C++ op compiled on first use (216 s measured here);
        # gloo does the same collectives, and this CPU path is the tests' (GPUs use NCCL)
        deepspeed.ops.__compatible_ops__["deepspeed_shm_comm"] = False
    accumulation = GradientAccumulationPlugin(num_steps=t.grad_accum, sync_with_dataloader=False)
    # bf16 on CPU is a plain torch autocast in the loop (_autocast): accelerate's mixed precision is fixed
    # once per process, and one process trains fp32 and bf16 runs in turn (tests, notebooks)
    accelerator = Accelerator(cpu=not cuda and not ds_on_cpu, mixed_precision="bf16" if (t.bf16 and cuda) else "no",
                              gradient_accumulation_plugin=accumulation,
                              kwargs_handlers=[InitProcessGroupKwargs(backend="gloo")] if ds_on_cpu else None)
    destroy_process_group_at_exit()
    ds = accelerator.state.deepspeed_plugin
    if ds is not None:
        ds.deepspeed_config.update(train_micro_batch_size_per_gpu=t.batch_size, gradient_accumulation_steps=t.grad_accum,
                                   train_batch_size=t.batch_size * t.grad_accum * accelerator.num_processes)
        ds.gradient_accumulation_steps = t.grad_accum
        ds.set_deepspeed_weakref()  # transformers' copy (used by zero.Init while loading) sees the same values
    return accelerator


def _autocast(accelerator, bf16: bool):
    """bf16 autocast: accelerate's on a GPU, torch's on CPU (see _accelerator)."""
    if bf16 and accelerator.mixed_precision == "no" and accelerator.device.type == "cpu":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return accelerator.autocast()


@contextlib.contextmanager
def _init_context(accelerator, from_random: bool):
    """ZeRO-3 partitions weights while they are created (``zero3_init_flag``), which draws a random init
    other than the single-process one: a seeded init is built whole, then partitioned by ``prepare``.
    (accelerate's ``zero3_init_context_manager(False)`` leaves transformers' ZeRO-3 switch on.)"""
    ds = accelerator.state.deepspeed_plugin
    if ds is None or not from_random:
        yield
        return
    from transformers.integrations import unset_hf_deepspeed_config

    unset_hf_deepspeed_config()
    try:
        yield
    finally:
        ds.set_deepspeed_weakref()


def _check_rows(rows: list[dict], stage: str) -> None:
    for i, r in enumerate(rows):
        if not isinstance(r, dict) or not isinstance(r.get("prompt"), str) or not isinstance(r.get("output"), str):
            raise DataError(f"{stage} examples, row {i + 1}: expected a dict with string 'prompt' and 'output'")
        if stage == "ecominstruct" and not r["prompt"].endswith(PROMPT_ENDS):
            raise DataError(f"ecominstruct examples, row {i + 1} (task {r.get('task')!r}), field 'prompt': "
                            f"expected it to end with {PROMPT_END!r} or {PROMPT_ENDS[1]!r}")


def _stage_data(stage: str, examples, texts):
    """The stage's data as the caller gave it: training reads no data world itself (the data flow points
    down to training, never from it back to a world)."""
    if stage == "pretrain":
        if texts is None:
            raise ConfigError("train_stage('pretrain'): needs texts (raw documents; CLI: --data)")
        return list(texts)
    if examples is None:
        what = "EcomInstruct train rows" if stage == "ecominstruct" else "general instruction rows"
        raise ConfigError(f"train_stage({stage!r}): needs examples ({what}; CLI: --data)")
    rows = list(examples)
    _check_rows(rows, stage)
    return rows


def _resolve_tokenizer(profile: Profile, stage: str, tokenizer, init_from, data):
    """The given tokenizer, else --init's, else the profile's pretrained one, else one trained on the data."""
    if tokenizer is not None:
        return tokenizer
    if init_from is not None:
        return load_tokenizer(init_from)
    if profile.tokenizer.pretrained:
        return load_tokenizer(profile.tokenizer.pretrained)
    source = data if stage == "pretrain" else [r["prompt"] + r["output"] for r in data]
    return train_tokenizer(source, profile.tokenizer.vocab_size, profile.tokenizer.min_frequency)


def _prepare_model(profile: Profile, model, tokenizer, init_from, size_name: str, stage: str = "ecominstruct",
                   accelerator=None):
    t = profile.train
    # LoRA adapts trained weights (the fine-tuning stages); pretraining trains all of them.
    lora = t.lora and stage != "pretrain"
    if model is None:
        if init_from is not None:
            model = load_model(init_from)  # fp32 master weights, whatever the folder stores
        else:
            size = profile.size(size_name)
            with _init_context(accelerator, from_random=not size.pretrained) if accelerator else contextlib.nullcontext():
                model = build_model(size, tokenizer, t.seed)
    vocab = model.get_input_embeddings().num_embeddings
    if len(tokenizer) > vocab:
        raise ConfigError(f"tokenizer has {len(tokenizer)} tokens but the model's embedding only {vocab}: "
                          "use the tokenizer the model was built with (--tokenizer / the --init folder's)")
    if lora and not hasattr(model, "peft_config"):
        from peft import LoraConfig, get_peft_model

        cfg = LoraConfig(r=t.lora_r, lora_alpha=t.lora_alpha, lora_dropout=0.0, task_type="CAUSAL_LM",
                         target_modules=["query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h"])
        model = get_peft_model(model, cfg)
    enable_fused_gelu(model)
    if t.attention == "sdpa":
        enable_sdpa_attention(model)
    if t.packing:
        enable_packed_attention(model)
    if t.gradient_checkpointing:
        (getattr(model, "activation_checkpointing_enable", None) or model.gradient_checkpointing_enable)()
        model.config.use_cache = False
        if lora:
            model.enable_input_require_grads()
    model.train()
    return model


class DivergedError(EcomlibError):
    """The loss or the gradient became NaN/inf: the run stops before anything is saved."""


def _stop_if_diverged(stage: str, step: int, loss: float, grad_norm, lr: float) -> None:
    """Same values on every process (reduced loss, global grad norm), so every process stops together."""
    norm = float(grad_norm) if grad_norm is not None else 0.0  # DeepSpeed clips inside its own step
    if math.isfinite(loss) and math.isfinite(norm):
        return
    what = f"loss {loss}" if not math.isfinite(loss) else f"gradient norm {norm} (loss {loss:.4f})"
    key = {"pretrain": "train.pretrain_lr", "general": "train.general_lr (or train.lr)"}.get(stage, "train.lr")
    raise DivergedError(f"train stage {stage!r}, step {step}: {what} is not finite; stopped before the update, "
                        f"no model saved. Lower the learning rate ({key}={lr:g}) or check the initial weights "
                        "(fp16 weights overflow: load them in fp32, train with train.bf16)")


def _check_resume(out_dir: Path, config: dict, resume: bool | str):
    """What to continue from: None (start over), ``RESULT`` (finished) or (checkpoint, its state).

    A mismatch or a damaged checkpoint is a ConfigError/DataError under ``resume=True`` and means
    "start over" under ``resume="if-valid"``."""
    if not resume:
        return None
    strict = resume is True
    recorded = read_run_config(out_dir)
    ckpts = list_checkpoints(out_dir / "checkpoints")
    finished = (out_dir / RESULT).is_file()
    if recorded is None:
        if strict and (finished or ckpts):
            raise ConfigError(f"{out_dir}: cannot resume: no {RUN_CONFIG} records how the run there was configured "
                              "(an older ecomlib wrote it); train without --resume to start over")
        return None
    diff = config_diff(recorded, config)
    if diff:
        if strict:
            raise ConfigError(f"{out_dir}: cannot resume: this run differs from the one there in {', '.join(diff)} "
                              f"(recorded in {RUN_CONFIG}); train without --resume to start over, or use another --out")
        return None
    if finished:
        return RESULT
    if not ckpts:
        return None
    try:
        state = verify_checkpoint(ckpts[-1])
    except DataError:
        if strict:
            raise
        return None
    diff = config_diff(state.get("config") or {}, config)
    if diff:
        if strict:
            raise ConfigError(f"{ckpts[-1]}: cannot resume: the checkpoint differs from this run in {', '.join(diff)}")
        return None
    return ckpts[-1], state


def _start_fresh(out_dir: Path, config: dict) -> None:
    """Invalidate what an earlier run left in ``out_dir``: its result marker first (from here on a crash
    never leaves a folder that looks finished), then its own model files, its checkpoints; then record this
    run's configuration. Only known model-file names an ecomlib run recorded are removed (training/outputs.py);
    a folder holding such a name that ecomlib did not write, or a symlinked checkpoints/, is refused."""
    refuse_symlink(out_dir / "checkpoints")
    owned = outputs.owned_files(out_dir)
    outputs.foreign_model_files(out_dir, owned)
    with disk_errors(out_dir):
        (out_dir / RESULT).unlink(missing_ok=True)
        for name in sorted(owned - {RESULT}):
            (out_dir / name).unlink(missing_ok=True)
        shutil.rmtree(out_dir / "checkpoints", ignore_errors=True)
        out_dir.mkdir(parents=True, exist_ok=True)
        outputs.record(out_dir, [RUN_CONFIG, HISTORY])
        atomic_write_json(out_dir / RUN_CONFIG, config)


def total_steps(profile: Profile, stage: str, stream: MicroBatchStream, global_micro: int) -> int:
    t = profile.train
    if stage == "pretrain":
        return t.pretrain_steps
    if stage == "general":
        return t.general_steps
    per_epoch = math.ceil(stream.epoch_size(0) / global_micro)
    steps = max(1, math.ceil(t.epochs * per_epoch))
    return min(steps, t.max_steps) if t.max_steps > 0 else steps


def train_stage(profile: Profile, stage: str, out_dir: Path, *, model=None, tokenizer=None,
                init_from: Path | None = None, size: str | None = None, examples: list[dict] | None = None,
                texts: list[str] | None = None, resume: bool = False, progress: bool = True) -> TrainResult:
    """Train one stage and save model + tokenizer + card + history in ``out_dir``.

    ``resume=True`` continues from the latest checkpoint in ``out_dir`` (or returns its finished result),
    refusing (ConfigError naming the keys) when the run there was configured differently;
    ``resume="if-valid"`` does so only when a verified checkpoint or result of the same configuration is
    there and otherwise starts over (the study pipeline's stable stage folders).
    """
    if stage not in STAGES:
        raise ConfigError(f"stage {stage!r}: expected one of {', '.join(STAGES)}")
    out_dir = Path(out_dir)
    size_name = size or profile.model.default_size
    profile.size(size_name)  # an unknown size is a ConfigError before anything is loaded
    if stage == "ecominstruct":  # the size's own epochs, when its ladder entry sets them
        profile = profile.finetune_profile(size_name)
    t = profile.train
    accelerator = _accelerator(t)
    main = accelerator.is_main_process
    data = _stage_data(stage, examples, texts)
    model_given = model is not None
    tokenizer = _resolve_tokenizer(profile, stage, tokenizer, init_from, data)
    config = run_config(profile, stage, size_name, init_from, tokenizer, data, model_given)
    resume_from = _check_resume(out_dir, config, resume)
    if resume_from == RESULT:
        return load_result(out_dir)  # already finished, with this configuration
    # rows set aside by content (never trained on) measure convergence; none when the rule is off
    data, aside = stage_split(data, t, stage)
    encode = ((lambda xs: encode_documents(xs, tokenizer, t.max_length)) if stage == "pretrain"
              else (lambda xs: encode_instructions(xs, tokenizer, t.max_length, f"{stage} examples")))
    encoded, aside_encoded = encode(data), encode(aside)
    model = _prepare_model(profile, model, tokenizer, init_from, size_name, stage, accelerator)
    if resume_from is None and main:  # after the data and the init model load: a bad input writes nothing
        _start_fresh(out_dir, config)
    accelerator.wait_for_everyone()
    n_params = count_parameters(model)

    P = accelerator.num_processes
    G = t.grad_accum * P
    stream = MicroBatchStream(encoded, t.batch_size, t.max_length, t.packing, stable_seed(t.seed, stage, sep=SEED_SEP), tokenizer.pad_token_id,
                              pad_to=8)
    steps = total_steps(profile, stage, stream, G)
    lr = t.stage_lr(stage)
    if steps <= 0:
        raise ConfigError(f"train stage {stage!r}: 0 steps (train.{stage}_steps); skip the stage instead")
    from transformers import get_cosine_schedule_with_warmup

    # One fused kernel for all parameters instead of ~10 small ops per tensor (same update); DeepSpeed
    # manages its own optimizer state, so it keeps the default implementation.
    from accelerate.utils import DistributedType

    fused = accelerator.distributed_type != DistributedType.DEEPSPEED
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=t.weight_decay,
                                  fused=fused or None)
    scheduler = get_cosine_schedule_with_warmup(optimizer, math.ceil(t.warmup_ratio * steps), steps)
    model, optimizer = accelerator.prepare(model, optimizer)
    ds_engine = model if accelerator.distributed_type == DistributedType.DEEPSPEED else None
    accelerator.register_for_checkpointing(scheduler)  # stepped by us once per step, on every process

    ckpt_root = out_dir / "checkpoints"
    state = {"step": 0, "history": [], "tokens": {"total": 0, "padded": 0, "trained": 0}, "seconds": 0.0,
             "config": config}
    if resume_from is not None:
        ckpt, _ = resume_from
        state = load_checkpoint(accelerator, ckpt)  # safetensors + JSON only: nothing is unpickled
    stopper = None
    if aside_encoded:
        every = eval_interval(math.ceil(stream.epoch_size(0) / G), t.evals_per_epoch)
        stopper = (EarlyStopping.from_state(state["stopping"]) if "stopping" in state
                   else EarlyStopping(t.patience, t.min_delta, every, len(aside_encoded)))
    if main:
        atomic_write_jsonl(out_dir / HISTORY, state["history"])
    accelerator.wait_for_everyone()

    peak = peak_flops()
    flops = ModelFlops.of_model(accelerator.unwrap_model(model))
    device = accelerator.device
    loader = iter(micro_batch_loader(ProcessMicroBatches(stream, state["step"], steps, t.grad_accum,
                                                          accelerator.process_index, P), device.type == "cuda"))
    optimizer_steps = state["step"]  # restored with the checkpoint (DeepSpeed: engine.global_steps)
    bar = tqdm(total=steps, initial=state["step"], desc=f"train {stage}", disable=not (progress and main), dynamic_ncols=True)
    hist_fh = open(out_dir / HISTORY, "a", encoding="utf-8") if main else None
    try:
        for step in range(state["step"], steps):
            t0 = time.perf_counter()
            batches = [next(loader) for _ in range(t.grad_accum)]  # this step's window, built ahead on a GPU
            counts = torch.tensor([[b.n_total, b.n_padded, b.n_trained, b.attn_pairs] for b, _ in batches],
                                  dtype=torch.float64).sum(0)
            counts = accelerator.reduce(counts.to(device), "sum").cpu()
            n_trained = max(1.0, float(counts[2]))
            loss_sum = torch.zeros((), dtype=torch.float64, device=device)
            for b, _ in batches:
                # accumulate(): no gradient sync (DDP/FSDP) and no DeepSpeed step until the window's last one
                with accelerator.accumulate(model), _autocast(accelerator, t.bf16):
                    # Logits only where a loss is taken (the response tokens, ~10% of an instruction row):
                    # the vocabulary projection and softmax are skipped at prompt and pad positions.
                    targets = b.targets.to(device, non_blocking=True)
                    keep = targets != IGNORE
                    logits = model(input_ids=b.input_ids.to(device, non_blocking=True), attention_mask=b.mask_on(device),
                                   logits_to_keep=keep, use_cache=False).logits
                    ce = F.cross_entropy(logits.float(), targets[keep], reduction="sum")
                    # Sum over the global batch / its trained tokens: the data-parallel mean divides by P and
                    # accelerate (or DeepSpeed) by grad_accum, so both are multiplied back.
                    accelerator.backward(ce * (P * t.grad_accum / n_trained))
                loss_sum += ce.detach().double()
            loss = float(accelerator.reduce(loss_sum, "sum")) / n_trained
            grad_norm = accelerator.clip_grad_norm_(model.parameters(), MAX_GRAD_NORM)
            # before the update (DeepSpeed: after its step); either way nothing is saved
            _stop_if_diverged(stage, step + 1, loss, grad_norm, lr)
            step_lr = scheduler.get_last_lr()[0]
            optimizer.step()  # under DeepSpeed a no-op: the engine stepped at the window's last backward
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            optimizer_steps = ds_engine.global_steps if ds_engine is not None else optimizer_steps + 1
            dt = time.perf_counter() - t0
            tok = state["tokens"]
            tok["total"] += int(counts[0])
            tok["padded"] += int(counts[1])
            tok["trained"] += int(counts[2])
            state["seconds"] += dt
            real = float(counts[0] - counts[1])
            row = {"step": step + 1, "epoch": round(batches[-1][1], 4), "loss": loss, "lr": step_lr,
                   "tokens_total": tok["total"], "tokens_padded": tok["padded"], "tokens_trained": tok["trained"],
                   "tokens_per_s": real / dt, "trained_tokens_per_s": float(counts[2]) / dt, "seconds": state["seconds"]}
            if peak:
                row["mfu"] = flops.of(real, float(counts[2]), float(counts[3])) / dt / (peak * P)
            if stopper is not None and stopper.due(step + 1, steps):
                row["heldaside_loss"] = _measure_heldaside_loss(accelerator, model, aside_encoded, tokenizer, t)
                if stopper.update(step + 1, row["epoch"], row["heldaside_loss"]):
                    _save_best(accelerator, model, ckpt_root, step + 1)
                state["stopping"] = stopper.to_state()
            state["history"].append(row)
            state["step"] = step + 1
            if hist_fh:
                hist_fh.write(json.dumps(row, sort_keys=True) + "\n")
                hist_fh.flush()
            bar.update(1)
            if (step + 1) % t.log_every == 0 or step + 1 == steps:
                bar.set_postfix(loss=f"{loss:.4f}", lr=f"{step_lr:.2e}", tok_s=f"{row['tokens_per_s']:.0f}",
                                **({"aside": f"{stopper.best_loss:.4f}"} if stopper and stopper.curve else {}))
            if stopper is not None and stopper.should_stop:
                break  # every process saw the same reduced held-aside loss, so all stop here
            if t.save_every and (step + 1) % t.save_every == 0 and step + 1 < steps:
                save_checkpoint(accelerator, ckpt_root, step + 1, state)
    finally:
        bar.close()
        if hist_fh:
            hist_fh.close()

    final_loss = state["history"][-1]["loss"]
    stopping = stopper.finish(state["step"], steps) if stopper is not None else None
    _save_final(accelerator, model, tokenizer, out_dir, profile, stage, state, final_loss, n_params,
                stopping=stopping, size=size_name, init=str(init_from.name if isinstance(init_from, Path) else init_from or "random init"),
                n_examples=len(encoded), steps=steps, lr=lr,
                counters={"optimizer_steps": optimizer_steps, "scheduler_steps": scheduler.last_epoch,
                          "distributed": str(accelerator.distributed_type.value)}, progress=progress)
    return TrainResult(out_dir, state["history"], final_loss, dict(state["tokens"]), state["seconds"])


def _measure_heldaside_loss(accelerator, model, examples, tokenizer, t) -> float:
    """The held-aside loss, the same number on every process (each scores the whole set; mean-reduced)."""
    loss = heldaside_loss(model, examples, t.batch_size, t.max_length, tokenizer.pad_token_id, t.packing,
                          accelerator.device, lambda: _autocast(accelerator, t.bf16))
    return float(accelerator.reduce(torch.tensor(loss, dtype=torch.float64, device=accelerator.device), "mean"))


def _save_best(accelerator, model, root: Path, step: int) -> None:
    """The best evaluation's weights, as safetensors (never a pickle), replaced atomically."""
    from safetensors.torch import save_file

    state_dict = accelerator.get_state_dict(model)  # collective under FSDP/DeepSpeed
    if accelerator.is_main_process:
        tmp = root / f".{BEST_WEIGHTS}.tmp"
        try:
            with disk_errors(root):  # a full disk is one file-system line naming checkpoints/
                root.mkdir(parents=True, exist_ok=True)
                # clones: tied weights share storage, which safetensors refuses to write
                save_file({k: v.detach().to("cpu").contiguous().clone() for k, v in state_dict.items()}, str(tmp),
                          metadata={"step": str(step)})
                os.replace(tmp, root / BEST_WEIGHTS)
        finally:
            tmp.unlink(missing_ok=True)
    accelerator.wait_for_everyone()


def _load_best(root: Path, stopping: dict) -> dict:
    from safetensors import safe_open
    from safetensors.torch import load_file

    path = root / BEST_WEIGHTS
    with safe_open(str(path), "pt") as fh:
        step = int((fh.metadata() or {}).get("step", -1))
    if step != stopping["best_step"]:
        raise DataError(f"{path}: holds the weights of step {step}, but the best held-aside evaluation was at step "
                        f"{stopping['best_step']}; train without --resume to start over")
    return load_file(str(path))


def _save_final(accelerator, model, tokenizer, out_dir: Path, profile: Profile, stage: str, state: dict,
                final_loss: float, n_params: int, counters: dict, progress: bool = True,
                stopping: dict | None = None, **card) -> None:
    """Weights + tokenizer go to a temporary folder first; ``result.json`` is written last. Only known
    model-file names are moved in, each recorded as ecomlib's first; a full disk is one file-system error
    naming ``out_dir``. Under the convergence rule the weights saved are the best held-aside evaluation's."""
    from transformers.utils import logging as hf_logging

    state_dict = accelerator.get_state_dict(model)  # collective under FSDP/DeepSpeed
    if accelerator.is_main_process:
        tmp = out_dir / ".final.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        unwrapped = accelerator.unwrap_model(model)
        if stopping is not None:
            state_dict = _load_best(out_dir / "checkpoints", stopping)
            unwrapped.load_state_dict(state_dict)
        if hasattr(unwrapped, "merge_and_unload"):  # LoRA: save plain weights loadable without peft
            unwrapped = unwrapped.merge_and_unload()
            state_dict = None
        unwrapped.config.use_cache = True
        bars_were_on = hf_logging.is_progress_bar_enabled()
        try:
            if not progress:  # save_pretrained's "Writing model shards" bar
                hf_logging.disable_progress_bar()
            with disk_errors(out_dir):
                _write_final(unwrapped, state_dict, tokenizer, tmp, out_dir, profile, stage, state, final_loss,
                             n_params, counters, accelerator.num_processes, card, stopping)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        finally:
            if bars_were_on:
                hf_logging.enable_progress_bar()
        shutil.rmtree(out_dir / "checkpoints", ignore_errors=True)
    accelerator.wait_for_everyone()


def _write_final(unwrapped, state_dict, tokenizer, tmp: Path, out_dir: Path, profile: Profile, stage: str,
                 state: dict, final_loss: float, n_params: int, counters: dict, world_size: int, card: dict,
                 stopping: dict | None) -> None:
    unwrapped.save_pretrained(str(tmp), state_dict=state_dict)
    tokenizer.save_pretrained(str(tmp))
    names = sorted(f.name for f in tmp.iterdir())
    written = names + ["README.md", HISTORY, RUN_CONFIG]
    outputs.refuse_foreign(out_dir, written, outputs.owned_files(out_dir) | outputs.recorded_files(out_dir))
    outputs.record(out_dir, written + [RESULT])
    for name in names:
        (tmp / name).replace(out_dir / name)
    tmp.rmdir()
    atomic_write_text(out_dir / "README.md", model_card(
        profile, stage, final_loss=final_loss, tokens=state["tokens"], seconds=state["seconds"],
        n_params=n_params, world_size=world_size, distributed=counters["distributed"], stopping=stopping, **card))
    atomic_write_jsonl(out_dir / HISTORY, state["history"])
    atomic_write_json(out_dir / RESULT, {"stage": stage, "final_loss": final_loss, "tokens": state["tokens"],
                                         "seconds": state["seconds"], "steps": state["step"], **counters,
                                         "stopping": stopping, "config": state.get("config"),
                                         "files": sorted(written)})
