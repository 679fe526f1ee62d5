import pytest
from transformers import AutoTokenizer

from ecomlib.errors import ConfigError
from ecomlib.training import load_tokenizer, train_tokenizer


def test_roundtrip_english_chinese_and_special_ids(tmp_path, texts):
    tok = train_tokenizer(texts, 400, 2, tmp_path)
    assert [tok.pad_token_id, tok.bos_token_id, tok.eos_token_id, tok.unk_token_id] == [0, 1, 2, 3]
    reloaded = AutoTokenizer.from_pretrained(tmp_path)
    for s in ["Blue phone case, 20% off!", "这款耳机音质很好，电池续航一般。", "未见过的字：龘 and emoji 🙂"]:
        ids = reloaded(s, add_special_tokens=False)["input_ids"]
        assert tok.unk_token_id not in ids  # byte fallback: nothing is unknown
        assert reloaded.decode(ids) == s
    # Merges were learned: a frequent Chinese word takes fewer tokens than its UTF-8 bytes.
    assert len(reloaded("手机", add_special_tokens=False)["input_ids"]) < len("手机".encode())


def test_deterministic(texts):
    a = train_tokenizer(texts, 400, 2)
    b = train_tokenizer(texts, 400, 2)
    assert a.get_vocab() == b.get_vocab()
    assert a.backend_tokenizer.to_str() == b.backend_tokenizer.to_str()


def test_errors(tmp_path):
    with pytest.raises(ConfigError, match="no training text"):
        train_tokenizer([], 400, 2)
    with pytest.raises(ConfigError, match="vocab_size"):
        train_tokenizer(["abc"], 100, 2)
    with pytest.raises(ConfigError, match="no such folder"):
        load_tokenizer(tmp_path / "missing")
