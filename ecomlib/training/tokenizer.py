"""Tokenizers: a byte-level BPE trained on our own text, or a pretrained one by hub id / local path.

Byte-level BPE covers every UTF-8 string (Chinese included) without an unknown token: any character
falls back to its bytes. The result is a HF fast tokenizer, loadable with ``AutoTokenizer``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import AutoTokenizer, PreTrainedTokenizerFast

from ecomlib.errors import ConfigError

SPECIAL_TOKENS = ("<pad>", "<s>", "</s>", "<unk>")  # ids 0..3, in this order


def train_tokenizer(
    texts: Iterable[str], vocab_size: int, min_frequency: int, out_dir: Path | None = None
) -> PreTrainedTokenizerFast:
    """Train a byte-level BPE on ``texts``; save it to ``out_dir`` (HF format) when given."""
    if vocab_size < 256 + len(SPECIAL_TOKENS):
        raise ConfigError(f"tokenizer.vocab_size: expected >= {256 + len(SPECIAL_TOKENS)} (bytes + specials), got {vocab_size}")
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    n = 0

    def counted() -> Iterable[str]:
        nonlocal n
        for t in texts:
            n += 1
            yield t

    tok.train_from_iterator(counted(), trainer=trainer)
    if n == 0:
        raise ConfigError("train_tokenizer: no training text was given (expected at least one string)")
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", bos_token="<s>", eos_token="</s>", unk_token="<unk>",
        model_max_length=1_000_000,
    )
    if out_dir is not None:
        fast.save_pretrained(str(out_dir))
    return fast


TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "tokenizer.model", "vocab.json", "spiece.model")


def load_tokenizer(path_or_id: str | Path, *, allow_download: bool = True, what: str = "tokenizer",
                   for_training: bool = True) -> PreTrainedTokenizerFast:
    """A saved tokenizer directory or a hub id; a missing pad token is set to EOS (BLOOM has ``<pad>``).
    ``for_training=False`` (evaluation) loads it as saved, without the EOS / pad checks."""
    from ecomlib.training.models import one_line, resolve_source  # deferred: torch (a tokenizer alone needs none)

    name, local_only = resolve_source(path_or_id, what=what, allow_download=allow_download,
                                      cache_files=("tokenizer_config.json", "tokenizer.json"))
    if local_only and Path(name).is_dir() and not any((Path(name) / f).is_file() for f in TOKENIZER_FILES):
        # without this, transformers tries to convert a slow tokenizer and asks for sentencepiece
        raise ConfigError(f"{what} {name}: no tokenizer files in this folder (expected tokenizer.json or "
                          "tokenizer_config.json); pass --tokenizer, or a folder saved by `ecomlib train`")
    try:
        tok = AutoTokenizer.from_pretrained(name, local_files_only=local_only)
    except (OSError, ValueError, KeyError, ImportError, RuntimeError) as exc:
        raise ConfigError(f"{what} {name}: cannot load the tokenizer ({one_line(exc)})") from None
    if not for_training:
        return tok
    if tok.eos_token_id is None:
        raise ConfigError(f"tokenizer {str(path_or_id)!r}: has no EOS token; training needs one to end responses")
    if tok.pad_token_id is None:
        tok.pad_token = tok.eos_token
    return tok
