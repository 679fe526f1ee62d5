import torch

from ecomlib.training.data import IGNORE, MicroBatchStream, collate, encode_documents, encode_instructions, plan_epoch


def test_instruction_ids_and_mask_built_together(tok, rows):
    ex = encode_instructions(rows[:5], tok, 256)
    for r, (ids, tgt) in zip(rows[:5], ex):
        p = tok(r["prompt"], add_special_tokens=False)["input_ids"]
        o = tok(r["output"], add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
        assert ids == p + o
        # targets[t] = ids[t+1] exactly on output + EOS positions, shifted by one.
        want = [IGNORE] * (len(p) - 1) + o + [IGNORE]
        assert tgt == want


def test_truncation_keeps_response_and_marker(tok, rows):
    row = dict(rows[0], prompt="word " * 400 + rows[0]["prompt"])
    (ids, tgt), = encode_instructions([row], tok, 64)
    assert len(ids) == 64
    assert tok.decode(ids).endswith(rows[0]["prompt"][-20:] + rows[0]["output"] + "</s>")
    assert sum(t != IGNORE for t in tgt) == len(tok(rows[0]["output"], add_special_tokens=False)["input_ids"]) + 1


def test_documents_chunked_all_trained(tok, texts):
    ex = encode_documents(texts[:10], tok, 16)
    assert all(len(ids) <= 16 for ids, _ in ex)
    for ids, tgt in ex:
        assert tgt[:-1] == ids[1:] and tgt[-1] == IGNORE


def test_plan_covers_each_example_once_and_fits():
    lengths = [(i * 37) % 50 + 3 for i in range(300)]
    for packing in (True, False):
        plan = plan_epoch(lengths, 4, 64, packing, seed=0, epoch=0)
        seen = sorted(i for batch in plan for row in batch for i in row)
        assert seen == list(range(300))
        assert all(sum(lengths[i] for i in row) <= 64 for batch in plan for row in batch)
        assert plan == plan_epoch(lengths, 4, 64, packing, seed=0, epoch=0)
        assert plan != plan_epoch(lengths, 4, 64, packing, seed=0, epoch=1)
    packed = plan_epoch(lengths, 4, 64, True, 0, 0)
    assert sum(len(b) for b in packed) < 300 / 2  # several instances per row


def test_length_grouping_reduces_padding():
    lengths = [(i * 37) % 50 + 3 for i in range(400)]
    ex = [([5] * n, [5] * (n - 1) + [IGNORE]) for n in lengths]
    def padded(plan):
        return sum(collate(b, ex, 0, False).n_padded for b in plan)
    grouped = plan_epoch(lengths, 8, 64, False, 0, 0)
    random_batches = [[[i] for i in range(k, k + 8)] for k in range(0, 400, 8)]
    assert padded(grouped) < padded(random_batches) / 4


def test_collate_block_diagonal_mask():
    ex = [([7, 8, 9], [8, 9, IGNORE]), ([4, 5], [IGNORE, IGNORE])]
    b = collate([[0, 1], [1]], ex, pad_id=0, packing=True)
    allowed = (b.attention_mask[:, 0] == 0).int()
    want0 = torch.tensor([[1, 0, 0, 0, 0], [1, 1, 0, 0, 0], [1, 1, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 1, 1]])
    assert torch.equal(allowed[0], want0)
    assert torch.equal(allowed[1], torch.tensor([[1, 0, 0, 0, 0], [1, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1]]))
    assert (b.n_total, b.n_padded, b.n_trained) == (10, 3, 2)
    assert b.input_ids[1].tolist() == [4, 5, 0, 0, 0]


def test_stream_random_access_matches_sequential(tok, rows):
    ex = encode_instructions(rows, tok, 128)
    s1 = MicroBatchStream(ex, 4, 128, True, 3, tok.pad_token_id)
    seq = [s1.get(k)[0].input_ids for k in range(s1.epoch_size(0) + 3)]
    s2 = MicroBatchStream(ex, 4, 128, True, 3, tok.pad_token_id)
    k = s1.epoch_size(0) + 2  # resume in the second epoch
    assert torch.equal(s2.get(k)[0].input_ids, seq[k])


# ---- the token-id cache shared by the arms of one process (a speed cut that must change no example) ----

def _reference_examples(rows, tok, max_length):
    """encode_instructions as it was before the cache: tokenizer(...) per call, targets from a full mask."""
    out = []
    for r in rows:
        p = tok(r["prompt"], add_special_tokens=False)["input_ids"]
        o = (tok(r["output"], add_special_tokens=False)["input_ids"] + [tok.eos_token_id])[: max_length - 1]
        p = p[-(max_length - len(o)):] if p else p
        ids, trained = p + o, [False] * len(p) + [True] * len(o)
        out.append((ids, [ids[t + 1] if trained[t + 1] else IGNORE for t in range(len(ids) - 1)] + [IGNORE]))
    return out


def _tricky_rows(rows):
    extra = [{"prompt": "", "output": "positive"}, {"prompt": "手机 </s> 价格\n\n", "output": ""},
             {"prompt": "word " * 300 + "end", "output": "蓝色 " * 80}, {"prompt": "  x  ", "output": " y "}]
    return rows[:40] + extra + rows[:5]  # repeated rows too


def test_cached_encoding_equals_the_uncached_one(tok, rows):
    from ecomlib.training import data

    data._TOKEN_IDS.__init__()
    for max_length in (256, 24, 2):
        want = _reference_examples(_tricky_rows(rows), tok, max_length)
        assert encode_instructions(_tricky_rows(rows), tok, max_length) == want  # cold
        assert encode_instructions(_tricky_rows(rows), tok, max_length) == want  # every text cached


def test_cache_tokenises_each_text_once(tok, rows, monkeypatch):
    from ecomlib.training import data

    data._TOKEN_IDS.__init__()
    seen = []
    backend = tok.backend_tokenizer
    real = backend.encode_batch_fast

    class Spy:  # the backend is a Rust object: wrap it rather than patch its method
        def __getattr__(self, name):
            return getattr(backend, name)

        def encode_batch_fast(self, texts, **kw):
            seen.extend(texts)
            return real(texts, **kw)

    monkeypatch.setattr(type(tok), "backend_tokenizer", property(lambda self: Spy()))
    first = encode_instructions(rows[:30], tok, 256)
    n = len(seen)
    assert n == len({r["prompt"] for r in rows[:30]} | {r["output"] for r in rows[:30]})
    assert encode_instructions(rows[10:30], tok, 256) == first[10:]  # a subset: nothing tokenised again
    assert len(seen) == n
    encode_instructions(rows[:40], tok, 256)
    assert len(seen) == n + len({r["prompt"] for r in rows[30:40]} - {r["prompt"] for r in rows[:30]}) + \
        len({r["output"] for r in rows[30:40]} - {r["output"] for r in rows[:30]})


def test_another_tokenizer_never_gets_cached_ids(tok, rows, texts):
    from ecomlib.training import train_tokenizer

    other = train_tokenizer(texts[:40], 280, 1)  # a different vocabulary: different ids for the same text
    a = encode_instructions(rows[:20], tok, 256)
    b = encode_instructions(rows[:20], other, 256)
    assert a != b
    assert b == _reference_examples(rows[:20], other, 256)
    assert encode_instructions(rows[:20], tok, 256) == a


def test_backend_with_truncation_goes_through_the_tokenizer(tok, rows):
    from ecomlib.training import data

    backend = tok.backend_tokenizer
    backend.enable_truncation(8)
    try:
        assert data._tokenizer_key(tok) is None
        got = encode_instructions(rows[:3], tok, 256)
        assert got == [(ids, tgt) for ids, tgt in _reference_examples(rows[:3], tok, 256)]
    finally:
        backend.no_truncation()


def test_cache_is_bounded(tok, rows):
    from ecomlib.training.data import _TokenIdCache

    cache = _TokenIdCache(max_texts=10)
    texts = [r["prompt"] for r in rows[:25]]
    assert cache.token_ids(tok, texts[:8]) == tok(texts[:8], add_special_tokens=False)["input_ids"]
    assert cache.token_ids(tok, texts[8:20]) == tok(texts[8:20], add_special_tokens=False)["input_ids"]
    assert len(cache.ids) <= 12  # dropped and refilled with this call's texts only
