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
