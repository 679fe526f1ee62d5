from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
ECOMGPT_FIXTURE = FIXTURES / "ecom_instruct_v1"
BUILD_FIXTURE = FIXTURES / "build"


@pytest.fixture(scope="session")
def tiny_lm(tmp_path_factory):
    """A tiny random BLOOM with a BPE tokenizer trained on a few sentences, saved as a checkpoint."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers, decoders
    from transformers import BloomConfig, BloomForCausalLM, PreTrainedTokenizerFast

    corpus = [
        "### Instruction: Determine whether the item 1 and item 2 refer to the same product.",
        "### Response: same, not same, match, not match, food, service, price",
        "Nike running shoes black. red mug blue sofa. 小熊电热水壶 纯棉白色衬衫 保温杯大容量",
    ] * 3
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=300, special_tokens=["<pad>", "</s>", "<unk>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(corpus, trainer)
    hf_tok = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>")
    torch.manual_seed(0)
    cfg = BloomConfig(vocab_size=len(hf_tok), hidden_size=32, n_layer=2, n_head=2,
                      pad_token_id=hf_tok.pad_token_id, eos_token_id=hf_tok.eos_token_id,
                      bos_token_id=hf_tok.eos_token_id)
    model = BloomForCausalLM(cfg).eval()
    path = tmp_path_factory.mktemp("tiny_lm")
    model.save_pretrained(path)
    hf_tok.save_pretrained(path)
    return model, hf_tok, path
