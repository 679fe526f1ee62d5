"""One small function per task kind: a raw record (plus a little stream context) -> instances.

A kind function returns at most one ``Instance`` per record (or ``None`` when the record lacks the
labels the kind needs), so a task's instance count tracks its source's record count. Instances are
*unrendered*: the input text (in the input's language) and a structured answer. Candidates and the
six-part prompt are added later (``render.py``), once the task's whole label universe is known.
"""

from __future__ import annotations

import random
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Callable, Union

from ecomlib.recordtypes import RawRecord

Answer = Union[str, list[str], dict[str, list[str]]]


@dataclass
class Instance:
    input: str
    answer: Answer  # Generate: str; CLS/Extract: list[str]; NER: {type: [span, ...]}
    parent: str
    gold: tuple[str, ...] = ()  # CLS labels / NER types present: the part of the candidates that is gold
    closed: tuple[str, ...] = ()  # a fixed label set (yes/no, polarity) to draw negatives from


# Field names inside an input follow the *input's* language, so the input never depends on the
# prompt-language variant (held-out prompts stay byte-identical across variants).
FIELDS = {
    "en": {
        "title": "Title", "span": "Span", "type": "Type", "value": "Value", "attribute": "Attribute",
        "attributes": "Attributes", "review": "Review", "aspect": "Aspect", "query": "Query",
        "options": "Options", "context": "Context", "question": "Question", "answer": "Answer",
        "evidence": "Evidence", "product_a": "Product A", "product_b": "Product B", "guide": "Reply guide",
        "yes": "yes", "no": "no", "text": "Text", "address": "Address", "address_a": "Address A",
        "address_b": "Address B", "candidate": "Candidate address", "intent": "Intent", "class": "Product class",
        "words": "Use the words", "word": "Use the word", "copy": "Copy",
    },
    "zh": {
        "title": "标题", "span": "片段", "type": "类型", "value": "属性值", "attribute": "属性",
        "attributes": "属性列表", "review": "评论", "aspect": "方面", "query": "搜索词",
        "options": "候选商品", "context": "上下文", "question": "问题", "answer": "答案",
        "evidence": "证据", "product_a": "商品A", "product_b": "商品B", "guide": "回复参考",
        "yes": "是", "no": "否", "text": "文本", "address": "地址", "address_a": "地址A", "address_b": "地址B",
        "candidate": "候选地址", "intent": "意图", "class": "商品类别", "words": "用上这些词", "word": "用上这个词",
        "copy": "文案",
    },
}
COLON = {"en": ": ", "zh": "："}
POLARITIES = ("positive", "negative", "neutral")


def _field(lang: str, key: str, value: str) -> str:
    return f"{FIELDS[lang][key]}{COLON[lang]}{value}"


def _lines(rec: RawRecord, *pairs: tuple[str, str]) -> str:
    return "\n".join(_field(rec.lang, k, v) for k, v in pairs)


def _yes_no(rec: RawRecord, ok: bool) -> tuple[list[str], tuple[str, ...]]:
    f = FIELDS[rec.lang]
    return [f["yes"] if ok else f["no"]], (f["yes"], f["no"])


def _attrs_text(rec: RawRecord, attrs: dict) -> str:
    sep = "; " if rec.lang == "en" else "；"
    return sep.join(f"{k}{COLON[rec.lang]}{attrs[k]}" for k in sorted(attrs))


def _text_key(rec: RawRecord) -> str:
    """The input field naming the record's text: a product's title, an address (records with parsed
    components), else plain text."""
    if rec.data_type == "product":
        return "title"
    return "address" if "components" in rec.labels else "text"


def _numbered(items: list[str]) -> str:
    return "\n".join(f"{i + 1}. {t}" for i, t in enumerate(items))


@dataclass
class Context:
    """What recombination needs from earlier records of the same source, bounded so memory stays flat."""

    rng: random.Random
    recent: deque = field(default_factory=lambda: deque(maxlen=64))  # recent records
    titles_by_product: OrderedDict = field(default_factory=OrderedDict)  # product_id -> (title, id)
    keyed: OrderedDict = field(default_factory=OrderedDict)  # a kind's own (kind, key) -> record memory

    def remember_keyed(self, key: tuple, rec: RawRecord, limit: int = 4096) -> None:
        """Remember ``rec`` under ``key`` (the latest wins), keeping at most ``limit`` keys."""
        self.keyed[key] = rec
        self.keyed.move_to_end(key)
        if len(self.keyed) > limit:
            self.keyed.popitem(last=False)

    def remember(self, rec: RawRecord) -> None:
        self.recent.append(rec)
        pid = rec.labels.get("product_id") if rec.data_type == "product" else None
        if pid is not None:
            self.titles_by_product[pid] = (rec.text, rec.id)
            self.titles_by_product.move_to_end(pid)
            if len(self.titles_by_product) > 4096:
                self.titles_by_product.popitem(last=False)

    def other(self, rec: RawRecord, ok: Callable[[RawRecord], bool]) -> RawRecord | None:
        cands = [r for r in self.recent if r.id != rec.id and ok(r)]
        return self.rng.choice(cands) if cands else None


KindFn = Callable[[RawRecord, Context], Union[Instance, None]]


# ----------------------------------------------------------------------------------------------- product
def ner(rec: RawRecord, ctx: Context) -> Instance | None:
    by_type: dict[str, list[str]] = {}
    for sp in rec.spans:
        by_type.setdefault(sp.type, []).append(sp.text)
    if not by_type:
        return None
    return Instance(rec.text, by_type, rec.id, gold=tuple(by_type))


def attribute_value_extraction(rec: RawRecord, ctx: Context) -> Instance | None:
    attrs = rec.labels.get("attributes") or {}
    if not attrs:
        return None
    by_type = {k: [str(attrs[k])] for k in sorted(attrs)}
    return Instance(rec.text, by_type, rec.id, gold=tuple(by_type))


def entity_span_detection(rec: RawRecord, ctx: Context) -> Instance | None:
    if not rec.spans:
        return None
    return Instance(rec.text, [s.text for s in sorted(rec.spans, key=lambda s: s.start)], rec.id)


def entity_typing(rec: RawRecord, ctx: Context) -> Instance | None:
    if not rec.spans:
        return None
    sp = ctx.rng.choice(rec.spans)
    return Instance(_lines(rec, (_text_key(rec), rec.text), ("span", sp.text)), [sp.type], rec.id, gold=(sp.type,))


def single_type_extraction(rec: RawRecord, ctx: Context) -> Instance | None:
    types = sorted({s.type for s in rec.spans})
    if not types:
        return None
    t = ctx.rng.choice(types)
    spans = [s.text for s in sorted(rec.spans, key=lambda s: s.start) if s.type == t]
    return Instance(_lines(rec, (_text_key(rec), rec.text), ("type", t)), spans, rec.id)


def attribute_value_detection(rec: RawRecord, ctx: Context) -> Instance | None:
    attrs = rec.labels.get("attributes") or {}
    if not attrs:
        return None
    values = sorted({str(v) for v in attrs.values()}, key=lambda v: (rec.text.find(v), v))
    return Instance(rec.text, values, rec.id)


def attribute_naming(rec: RawRecord, ctx: Context) -> Instance | None:
    attrs = rec.labels.get("attributes") or {}
    if not attrs:
        return None
    name = ctx.rng.choice(sorted(attrs))
    return Instance(_lines(rec, ("title", rec.text), ("value", str(attrs[name]))), [name], rec.id, gold=(name,))


def attribute_pair_verification(rec: RawRecord, ctx: Context) -> Instance | None:
    attrs = rec.labels.get("attributes") or {}
    if not attrs:
        return None
    name = ctx.rng.choice(sorted(attrs))
    value, ok = str(attrs[name]), True
    if ctx.rng.random() < 0.5:
        # A wrong value: the same attribute of another product, else another attribute's value here.
        other = ctx.other(rec, lambda r: str((r.labels.get("attributes") or {}).get(name, value)) != value)
        wrong = [str(v) for k, v in sorted(attrs.items()) if str(v) != value]
        if other is not None:
            value, ok = str(other.labels["attributes"][name]), False
        elif wrong:
            value, ok = ctx.rng.choice(wrong), False
    gold, closed = _yes_no(rec, ok)
    text = _lines(rec, ("title", rec.text), ("attribute", name), ("value", value))
    return Instance(text, gold, rec.id, gold=tuple(gold), closed=closed)


def _category(key: str) -> KindFn:
    def fn(rec: RawRecord, ctx: Context) -> Instance | None:
        value = rec.labels.get(key)
        if value in (None, ""):
            return None
        return Instance(rec.text, [str(value)], rec.id, gold=(str(value),))

    fn.__name__ = f"category_{key}"
    return fn


def title_generate(rec: RawRecord, ctx: Context) -> Instance | None:
    """The title from its parts. Where the world lists ``title_parts`` (every word of the title in title
    order: the synthetic world), the input is those parts and the target holds nothing else; a record
    whose world expects parts but has none (a typo or a literal in the title) yields no instance. Other
    records (open world) keep the attributes-only input."""
    if "title_parts" in rec.labels or rec.meta.get("title_parts_expected"):
        parts = rec.labels.get("title_parts") or []
        if not parts:
            return None
        sep = "; " if rec.lang == "en" else "；"
        text = sep.join(f"{k}{COLON[rec.lang]}{v}" for k, v in parts)
        return Instance(_field(rec.lang, "attributes", text), rec.text, rec.id)
    attrs = rec.labels.get("attributes") or {}
    if not attrs:
        return None
    return Instance(_field(rec.lang, "attributes", _attrs_text(rec, attrs)), rec.text, rec.id)


def title_attribute_matching(rec: RawRecord, ctx: Context) -> Instance | None:
    attrs = rec.labels.get("attributes") or {}
    if not attrs:
        return None
    shown, ok = attrs, True
    if ctx.rng.random() < 0.5:
        other = ctx.other(rec, lambda r: bool(r.labels.get("attributes")) and r.labels["attributes"] != attrs)
        if other is not None:
            shown, ok = other.labels["attributes"], False
    gold, closed = _yes_no(rec, ok)
    text = _lines(rec, ("title", rec.text), ("attributes", _attrs_text(rec, shown)))
    return Instance(text, gold, rec.id, gold=tuple(gold), closed=closed)


def item_align(rec: RawRecord, ctx: Context) -> Instance | None:
    pid = rec.labels.get("product_id")
    if pid is None:
        return None
    same = ctx.titles_by_product.get(pid)
    if same is not None and same[0] != rec.text and ctx.rng.random() < 0.5:
        other_title, ok = same[0], True
    else:
        other = ctx.other(rec, lambda r: r.labels.get("product_id") not in (None, pid))
        if other is None:
            return None
        other_title, ok = other.text, False
    gold, closed = _yes_no(rec, ok)
    text = _lines(rec, ("product_a", rec.text), ("product_b", other_title))
    return Instance(text, gold, rec.id, gold=tuple(gold), closed=closed)


# ----------------------------------------------------------------------------------------------- review
def _tuples(rec: RawRecord) -> list[dict]:
    return [t for t in rec.labels.get("tuples") or [] if isinstance(t, dict)]


def sentiment(rec: RawRecord, ctx: Context) -> Instance | None:
    return _category("sentiment")(rec, ctx)


def rating(rec: RawRecord, ctx: Context) -> Instance | None:
    r = rec.labels.get("rating")
    if r is None:
        return None
    r = str(int(r))
    return Instance(rec.text, [r], rec.id, gold=(r,), closed=("1", "2", "3", "4", "5"))


def _unique(items) -> list[str]:
    out: list[str] = []
    for x in items:
        if x and x not in out:
            out.append(x)
    return out


def aspect_extraction(rec: RawRecord, ctx: Context) -> Instance | None:
    tuples = _tuples(rec)
    if not tuples:
        return None
    return Instance(rec.text, _unique(t.get("aspect") for t in tuples), rec.id)


def opinion_extraction(rec: RawRecord, ctx: Context) -> Instance | None:
    tuples = _tuples(rec)
    # A source that annotates no opinion words leaves the key out (Hu & Liu); ``None`` is an implicit one.
    if not tuples or not any("opinion" in t for t in tuples):
        return None
    return Instance(rec.text, _unique(t.get("opinion") for t in tuples), rec.id)


def _aspect_tuple(rec: RawRecord, ctx: Context, key: str) -> dict | None:
    tuples = [t for t in _tuples(rec) if t.get("aspect") and t.get(key)]
    return ctx.rng.choice(tuples) if tuples else None


def aspect_category(rec: RawRecord, ctx: Context) -> Instance | None:
    t = _aspect_tuple(rec, ctx, "category")
    if t is None:
        return None
    c = str(t["category"])
    return Instance(_lines(rec, ("review", rec.text), ("aspect", t["aspect"])), [c], rec.id, gold=(c,))


def aspect_polarity(rec: RawRecord, ctx: Context) -> Instance | None:
    t = _aspect_tuple(rec, ctx, "polarity")
    if t is None:
        return None
    p = str(t["polarity"])
    text = _lines(rec, ("review", rec.text), ("aspect", t["aspect"]))
    return Instance(text, [p], rec.id, gold=(p,), closed=POLARITIES)


def topic_classify(rec: RawRecord, ctx: Context) -> Instance | None:
    topics = _unique(str(t) for t in rec.labels.get("topics") or [])
    if not topics:
        return None
    return Instance(rec.text, topics, rec.id, gold=tuple(topics))


def _generate(key: str) -> KindFn:
    def fn(rec: RawRecord, ctx: Context) -> Instance | None:
        value = rec.labels.get(key)
        if not value:
            return None
        return Instance(rec.text, str(value), rec.id)

    fn.__name__ = f"generate_{key}"
    return fn


# ----------------------------------------------------------------------------------------------- query
def query_segment(rec: RawRecord, ctx: Context) -> Instance | None:
    segs = [str(s) for s in rec.labels.get("segments") or [] if s]
    if not segs:
        return None
    return Instance(rec.text, segs, rec.id)


def product_select(rec: RawRecord, ctx: Context) -> Instance | None:
    pos, negs = rec.labels.get("positive_title"), rec.labels.get("negative_titles") or []
    if not pos or not negs:
        return None
    options = [pos] + [str(n) for n in negs if n != pos]
    ctx.rng.shuffle(options)
    text = _field(rec.lang, "query", rec.text) + "\n" + FIELDS[rec.lang]["options"] + COLON[rec.lang].rstrip()
    return Instance(text + "\n" + _numbered(options), [pos], rec.id)


def next_turn(rec: RawRecord, ctx: Context) -> Instance | None:
    """The agent's next reply; where the record has a reply guide (synthetic world) the dialogue comes
    with it, numbered, and the reply is the guide entry that fits."""
    value = rec.labels.get("next_response")
    if not value:
        return None
    guide = [str(g) for g in rec.labels.get("reply_guide") or []]
    if not guide:
        return Instance(rec.text, str(value), rec.id)
    text = rec.text + "\n" + FIELDS[rec.lang]["guide"] + COLON[rec.lang].rstrip() + "\n" + _numbered(guide)
    return Instance(text, str(value), rec.id)


# ----------------------------------------------------------------------------------------------- qa
def answer_extract(rec: RawRecord, ctx: Context) -> Instance | None:
    q = rec.labels.get("question")
    if not q:
        return None
    ans = rec.labels.get("answer") if rec.labels.get("answerable", True) else None
    if ans and ans not in rec.text:
        return None  # a written answer (hetPQA) is not extractable: that is answer_generate
    return Instance(_lines(rec, ("context", rec.text), ("question", q)), [ans] if ans else [], rec.id)


def answerability(rec: RawRecord, ctx: Context) -> Instance | None:
    q, a = rec.labels.get("question"), rec.labels.get("answerable")
    if not q or a is None:
        return None
    gold, closed = _yes_no(rec, bool(a))
    return Instance(_lines(rec, ("context", rec.text), ("question", q)), gold, rec.id, gold=tuple(gold), closed=closed)


def question_generate(rec: RawRecord, ctx: Context) -> Instance | None:
    q, a = rec.labels.get("question"), rec.labels.get("answer")
    if not q or not a or not rec.labels.get("answerable", True):
        return None
    return Instance(_lines(rec, ("context", rec.text), ("answer", a)), str(q), rec.id)


def answer_generate(rec: RawRecord, ctx: Context) -> Instance | None:
    """A written (not extracted) answer from the evidence, e.g. hetPQA's answer generation."""
    q, a = rec.labels.get("question"), rec.labels.get("answer")
    if not q or not a or not rec.labels.get("answerable", True):
        return None
    return Instance(_lines(rec, ("context", rec.text), ("question", q)), str(a), rec.id)


def evidence_select(rec: RawRecord, ctx: Context) -> Instance | None:
    """Every answering candidate is gold (``evidence_indices``, e.g. ePQA's grade-2 sentences); a source
    that names one (``evidence_index``) has one."""
    q, ev, idx = rec.labels.get("question"), rec.labels.get("evidence") or [], rec.labels.get("evidence_index")
    indices = rec.labels.get("evidence_indices", [] if idx is None else [idx])
    if not q or not indices or not all(0 <= i < len(ev) for i in indices):
        return None
    text = _field(rec.lang, "question", q) + "\n" + FIELDS[rec.lang]["evidence"] + COLON[rec.lang].rstrip()
    return Instance(text + "\n" + _numbered([str(e) for e in ev]), _unique(str(ev[i]) for i in indices), rec.id)


KIND_FUNCS: dict[str, KindFn] = {
    "ner": ner,
    "entity_span_detection": entity_span_detection,
    "entity_typing": entity_typing,
    "single_type_extraction": single_type_extraction,
    "attribute_value_extraction": attribute_value_extraction,
    "attribute_value_detection": attribute_value_detection,
    "attribute_naming": attribute_naming,
    "attribute_pair_verification": attribute_pair_verification,
    "coarse_classify": _category("category_coarse"),
    "fine_classify": _category("category_fine"),
    "title_generate": title_generate,
    "title_attribute_matching": title_attribute_matching,
    "item_align": item_align,
    "sentiment": sentiment,
    "rating": rating,
    "aspect_extraction": aspect_extraction,
    "opinion_extraction": opinion_extraction,
    "aspect_category": aspect_category,
    "aspect_polarity": aspect_polarity,
    "topic_classify": topic_classify,
    "review_summary": _generate("summary"),
    "product_category": _category("product_category"),
    "query_segment": query_segment,
    "query_intent": _category("intent"),
    "query_category": _category("category"),
    "query_rewrite": _generate("rewrite"),
    "product_select": product_select,
    "dialog_intent": _category("intent"),
    "next_turn": next_turn,
    "answer_extract": answer_extract,
    "answerability": answerability,
    "question_generate": question_generate,
    "answer_generate": answer_generate,
    "evidence_select": evidence_select,
}

# the open world's pair, address, utterance and copywriting kinds (they build on the helpers above)
from ecomlib.instruct.kinds_open import OPEN_KIND_FUNCS  # noqa: E402

KIND_FUNCS.update(OPEN_KIND_FUNCS)
