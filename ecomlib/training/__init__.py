"""Models and training: tokenizer, BLOOM ladder, the training loop (packing, exact resume, accelerate)."""

from ecomlib.training.loop import STAGES, TrainResult, load_result, train_stage
from ecomlib.training.models import build_model, enable_fused_gelu, enable_packed_attention, enable_sdpa_attention, load_model
from ecomlib.training.tokenizer import load_tokenizer, train_tokenizer

__all__ = [
    "STAGES", "TrainResult", "build_model", "enable_fused_gelu", "enable_packed_attention", "enable_sdpa_attention", "load_model", "load_result",
    "load_tokenizer", "train_stage", "train_tokenizer",
]
