"""Backbones: BLOOM-architecture models from the profile's ladder, or real checkpoints.

Also three pieces of per-instance model surgery for training (saved models stay plain Bloom):

*GeLU.* Bloom's MLP uses a Python-composed tanh-GeLU with a hand-written backward (eight elementwise
kernels forward, more backward). ``torch``'s ``gelu(approximate="tanh")`` is the same function in one
fused kernel each way; on the cpu-profile model it cuts a training step by ~15%
(results/bench/train_step_breakdown.txt).

*Attention* (``train.attention: sdpa``). Bloom's eager attention materialises the batch x heads x L x L
scores and keeps the fp32 probabilities of every layer for the backward pass. In training, where there is no
KV cache, the patched layers call ``scaled_dot_product_attention`` with ALiBi and the mask as one additive
bias instead. The bias is the same for every layer, so it is built once per forward. Generation (with a
cache) and ``output_attentions`` keep the original code.

*Packing.* transformers' Bloom accepts a prepared 4D additive
mask (``create_causal_mask`` returns it as-is) but builds ALiBi from the *2D* mask and fails on a 4D one.
ALiBi only needs each key's position inside its own sequence, which the block-diagonal causal mask
already encodes: row k of the mask allows exactly the keys from its segment's start to k, so
``position(k) = allowed_keys(k) - 1``. With that, a packed instance sees bit-for-bit the same biases as
alone (the patch is per instance, so saved models stay plain Bloom).
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from transformers import AutoModelForCausalLM, BloomConfig, PreTrainedModel
from transformers.models.bloom.modeling_bloom import BloomAttention, BloomGelu, BloomModel, _get_alibi_slopes, dropout_add

from ecomlib.config import ModelSize
from ecomlib.errors import ConfigError


def build_model(size: ModelSize, tokenizer, seed: int) -> PreTrainedModel:
    """A freshly initialised BLOOM of ``size`` (deterministic in ``seed``), or ``size.pretrained`` loaded."""
    if size.pretrained:
        model = load_model(size.pretrained)
        if len(tokenizer) > model.get_input_embeddings().num_embeddings:
            model.resize_token_embeddings(len(tokenizer))
        return model
    config = BloomConfig(
        vocab_size=len(tokenizer),
        hidden_size=size.hidden_size,
        n_layer=size.n_layer,
        n_head=size.n_head,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        hidden_dropout=0.0,
        attention_dropout=0.0,
        tie_word_embeddings=True,
    )
    # Seeded init without touching the caller's global RNG state.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = AutoModelForCausalLM.from_config(config)
    return model


def _looks_like_path(text: str) -> bool:
    """A spec no hub id can be (``/abs``, ``./rel``, ``~``, ``a/b/c``): a missing folder, not a repo."""
    return text.startswith(("/", ".", "~")) or text.count("/") > 1 or "\\" in text


def offline_reason() -> str | None:
    """Why the hub cannot be reached right now, or None: HF_HUB_OFFLINE set, else a ~2 s connect test
    (instead of transformers' retries, which take about a minute without network)."""
    import os
    import socket
    from urllib.parse import urlparse

    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        if os.environ.get(var, "").strip().upper() in ("1", "ON", "YES", "TRUE"):
            return f"{var} is set"
    host = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co")).hostname or "huggingface.co"
    try:
        socket.create_connection((host, 443), timeout=2).close()
    except OSError:
        return f"{host} cannot be reached (no network)"
    return None


def _hub_cached(repo_id: str, filenames: tuple[str, ...]) -> bool:
    from huggingface_hub import try_to_load_from_cache

    return any(isinstance(try_to_load_from_cache(repo_id, name), str) for name in filenames)


def resolve_source(spec: str | Path, *, what: str, allow_download: bool = True,
                   cache_files: tuple[str, ...] = ("config.json",)) -> tuple[str, bool]:
    """(name for ``from_pretrained``, local_files_only) for a local folder or a hub id; ConfigError
    with one clear line for a missing folder, a file, an invalid id or a hub that cannot be reached."""
    text = str(spec)
    path = Path(text).expanduser()
    if path.exists():
        if not path.is_dir():
            raise ConfigError(f"{what} {text}: is a file, expected a model folder (config.json, model.safetensors)")
        return str(path), True
    if _looks_like_path(text):
        raise ConfigError(f"{what} {text}: no such folder")
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    try:
        validate_repo_id(text)
    except HFValidationError:
        raise ConfigError(f"{what} {text}: no such folder, and not a hub id (expected 'name' or 'org/name')") from None
    if _hub_cached(text, cache_files):
        return text, True
    if not allow_download:
        raise ConfigError(f"{what} {text}: no such folder and not in the local hub cache; give a local model folder, "
                          "or pass --allow-download")
    reason = offline_reason()
    if reason:
        raise ConfigError(f"{what} {text}: no such folder and not in the local hub cache, and {reason}; give a local "
                          "model folder, or unset HF_HUB_OFFLINE with network access to download it")
    return text, False


def one_line(exc: BaseException) -> str:
    """An exception's message on one line (transformers' messages span several)."""
    return " ".join(str(exc).split()) or type(exc).__name__


def load_model(path_or_id: str | Path, *, allow_download: bool = True, what: str = "model",
               dtype: torch.dtype = torch.float32) -> PreTrainedModel:
    """A causal LM in ``dtype`` (fp32 by default: the published BLOOMZ folders are fp16, and fp16 weights
    fine-tune to inf/NaN; training uses bf16 autocast on a GPU, evaluation casts to bf16 there)."""
    from safetensors import SafetensorError

    from transformers.utils import logging as hf_logging

    name, local_only = resolve_source(path_or_id, what=what, allow_download=allow_download)
    bar_was_on = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # its "Loading weights" bar is noise around our one-line messages
    try:
        return AutoModelForCausalLM.from_pretrained(name, local_files_only=local_only, dtype=dtype)
    except SafetensorError as exc:  # truncated or garbage weights file
        raise ConfigError(f"{what} {name}: model.safetensors is corrupt or truncated ({one_line(exc)})") from None
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise ConfigError(f"{what} {name}: cannot load a causal LM ({one_line(exc)})") from None
    finally:
        if bar_was_on:
            hf_logging.enable_progress_bar()


def packed_alibi(attention_mask: torch.Tensor, num_heads: int, dtype: torch.dtype) -> torch.Tensor:
    """ALiBi for a 4D additive block-diagonal causal mask (batch, 1, L, L) -> (batch*heads, 1, L)."""
    batch, _, length, _ = attention_mask.shape
    allowed = attention_mask[:, 0] > torch.finfo(attention_mask.dtype).min / 2
    pos = allowed.sum(-1) - 1  # (batch, L): each key's offset from its segment start
    slopes = _get_alibi_slopes(num_heads, attention_mask.device)
    alibi = slopes[None, :, None] * pos[:, None, :]
    return alibi.reshape(batch * num_heads, 1, length).to(dtype)


def enable_packed_attention(model: torch.nn.Module) -> None:
    """Let every Bloom body in ``model`` (plain, peft-wrapped) take a 4D block-diagonal mask."""
    found = False
    for module in model.modules():
        if isinstance(module, BloomModel):
            original = BloomModel.build_alibi_tensor.__get__(module)

            def build(attention_mask, num_heads, dtype, _original=original):
                if attention_mask.ndim == 4:
                    return packed_alibi(attention_mask, num_heads, dtype)
                return _original(attention_mask, num_heads, dtype)

            module.build_alibi_tensor = build
            found = True
    if not found:
        raise ConfigError("train.packing: needs a BLOOM-architecture model (ALiBi); set train.packing=false for others")


def _fused_gelu(x: torch.Tensor) -> torch.Tensor:
    # Bloom's 0.79788456 is sqrt(2/pi) to 8 digits: the same tanh approximation.
    return F.gelu(x, approximate="tanh")


def enable_fused_gelu(model: torch.nn.Module) -> int:
    """Swap every Bloom GeLU in ``model`` for torch's fused tanh-GeLU (same function); returns how many."""
    n = 0
    for module in model.modules():
        if isinstance(module, BloomGelu):
            module.forward = _fused_gelu
            n += 1
    return n


def enable_sdpa_attention(model: torch.nn.Module) -> int:
    """Route every Bloom attention in ``model`` through ``F.scaled_dot_product_attention`` when there is no
    cache (training); returns how many layers were patched."""
    shared: dict = {}  # the last (alibi, mask) pair and their combined bias: identical for every layer

    def bias_for(alibi: torch.Tensor, mask: torch.Tensor | None, batch: int, heads: int, q_len: int, dtype) -> torch.Tensor:
        if shared.get("alibi") is alibi and shared.get("mask") is mask and shared.get("dtype") == dtype:
            return shared["bias"]
        bias = alibi.view(batch, heads, 1, -1)
        additive = mask
        if additive is None:  # no mask given: plain causal (training has no cache, so q_len == k_len)
            additive = torch.full((q_len, q_len), torch.finfo(bias.dtype).min, device=bias.device, dtype=bias.dtype).triu(1)
        shared.update(alibi=alibi, mask=mask, dtype=dtype, bias=(bias + additive).to(dtype))  # (batch, heads, q, k)
        return shared["bias"]

    n = 0
    for module in model.modules():
        if not isinstance(module, BloomAttention):
            continue
        original = BloomAttention.forward.__get__(module)

        def forward(hidden_states, residual, alibi, attention_mask, layer_past=None, use_cache=False,
                    output_attentions=False, _self=module, _original=original, **kwargs):
            if layer_past is not None or output_attentions or (attention_mask is not None and attention_mask.dtype == torch.bool):
                return _original(hidden_states, residual, alibi, attention_mask, layer_past=layer_past,
                                 use_cache=use_cache, output_attentions=output_attentions, **kwargs)
            batch, q_len, _ = hidden_states.shape
            q, k, v = _self._reshape(_self.query_key_value(hidden_states))  # (batch, heads, L, head_dim)
            bias = bias_for(alibi, attention_mask, batch, _self.num_heads, q_len, q.dtype)
            context = F.scaled_dot_product_attention(
                q, k, v, attn_mask=bias, scale=_self.inv_norm_factor,
                dropout_p=_self.attention_dropout.p if _self.training else 0.0)
            context = context.transpose(1, 2).reshape(batch, q_len, _self.hidden_size)
            out = dropout_add(_self.dense(context), residual, _self.hidden_dropout, _self.training)
            return out, None

        module.forward = forward
        n += 1
    return n


def numel(param: torch.Tensor) -> int:
    """A parameter's full size, also under DeepSpeed ZeRO-3 (whose local tensor is an empty placeholder)."""
    return int(getattr(param, "ds_numel", None) or param.numel())


def count_parameters(model: torch.nn.Module) -> int:
    return sum(numel(p) for p in model.parameters())
