"""Task kinds of the open world's pair, address, utterance and copywriting sources (issue #17).

The same contract as ``kinds.py`` (one function per kind, at most one unrendered ``Instance`` per record,
``None`` when the record lacks what the kind needs); these kinds read labels only those sources carry:

* offer pairs (ditto: ``offer``, ``other_offer``, ``other_title``, ``same_product``):
  ``offer_attribute_compare`` (which offer gives the higher value of a numeric field, e.g. price?),
  ``differing_attribute`` (which of the shared fields differ?), ``title_normalize`` (a matched pair's
  title as the other shop lists it). The pair's own same/not-same label is never asked: that is the
  held-out *unseen task* ``item_align`` (PriceRunner), which no training source may teach.
* addresses (``components`` [[type, text]]; CCKS ``candidates`` + ``match_grades``):
  ``address_parse`` (components per type), ``address_component_match`` (do two addresses agree on
  one component?), ``address_match`` (the grade of a query against one candidate).
* one-turn customer utterances (``turns`` of one user turn, ``intent``, ``category``):
  ``dialog_category`` and ``utterance_generate`` (an utterance for an intent, with two of its words
  to use, so one prompt has one answer).
* attributes with the text written from them (``attributes``, ``description``):
  ``description_generate`` and ``copy_attributes`` (the attribute values the copy mentions).
* query classes (``category``): ``query_generate`` (a query for a class, with one of its words).
"""

from __future__ import annotations

import re

from ecomlib.instruct.kinds import COLON, FIELDS, Context, Instance, _field, _lines, _yes_no
from ecomlib.recordtypes import RawRecord

# the CCKS grades in the data's language (the file's own labels)
ADDRESS_GRADES = {"zh": {"exact": "完全匹配", "partial": "部分匹配", "none": "不匹配"},
                  "en": {"exact": "exact match", "partial": "partial match", "none": "no match"}}
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")
_STOP = frozenset("the and for you your with can how what this that have from are was not any about "
                  "will want need get would like please there which when where my me".split())


def _norm(value: str) -> str:
    return " ".join(str(value).lower().split())


MAX_FIELD_CHARS = 40  # longer values are free text (Abt-Buy descriptions): two shops never word them alike
_NUMBER = re.compile(r"^\s*\$?\s*(\d+(?:\.\d+)?)\s*$")


def _offer_fields(rec: RawRecord) -> list[str]:
    """Short fields (not the title) that both offers fill, in the left offer's order."""
    left, right = rec.labels.get("offer") or {}, rec.labels.get("other_offer") or {}
    return [k for k in left if k not in ("title", "name") and left[k] and right.get(k)
            and max(len(left[k]), len(right[k])) <= MAX_FIELD_CHARS]


def _offer_text(lang: str, key: str, offer: dict, fields: list[str]) -> str:
    title = offer.get("title") or offer.get("name") or ""
    sep = "; " if lang == "en" else "；"
    return _field(lang, key, sep.join([title, *(f"{k}{COLON[lang]}{offer[k]}" for k in fields)]))


def offer_attribute_compare(rec: RawRecord, ctx: Context) -> Instance | None:
    """Which offer gives the higher value of a numeric field both fill (prices): a comparison whose answer
    the input holds, and whose two answers are about equally common (equal values are skipped)."""
    left, right = rec.labels.get("offer") or {}, rec.labels.get("other_offer") or {}
    numeric = [k for k in _offer_fields(rec) if _NUMBER.match(left[k]) and _NUMBER.match(right[k])]
    if not numeric:
        return None
    name = ctx.rng.choice(numeric)
    a, b = (float(_NUMBER.match(v[name]).group(1)) for v in (left, right))
    if a == b:
        return None
    names = (FIELDS[rec.lang]["product_a"], FIELDS[rec.lang]["product_b"])
    label = names[0] if a > b else names[1]
    text = "\n".join([_offer_text(rec.lang, "product_a", left, [name]), _offer_text(rec.lang, "product_b", right, [name]),
                      _field(rec.lang, "attribute", name)])
    return Instance(text, [label], rec.id, gold=(label,), closed=names)


def differing_attribute(rec: RawRecord, ctx: Context) -> Instance | None:
    fields = _offer_fields(rec)
    left, right = rec.labels.get("offer") or {}, rec.labels.get("other_offer") or {}
    differ = [k for k in fields if _norm(left[k]) != _norm(right[k])]
    if len(fields) < 2 or not differ:
        return None  # with one field it is a yes/no question; none differing has no answer to give
    text = "\n".join([_offer_text(rec.lang, "product_a", left, fields), _offer_text(rec.lang, "product_b", right, fields)])
    return Instance(text, differ, rec.id, gold=tuple(differ), closed=tuple(fields))


def title_normalize(rec: RawRecord, ctx: Context) -> Instance | None:
    other = rec.labels.get("other_title")
    if not rec.labels.get("same_product") or not other or _norm(other) == _norm(rec.text):
        return None
    return Instance(_field(rec.lang, "title", rec.text), str(other), rec.id)


def _components(rec: RawRecord) -> list[tuple[str, str]]:
    return [(str(t), str(v)) for t, v in rec.labels.get("components") or []]


# Components many addresses share (a province, a city, a district, a town): a pair agreeing on one is common
COARSE_COMPONENTS = ("prov", "city", "district", "town")


def address_parse(rec: RawRecord, ctx: Context) -> Instance | None:
    by_type: dict[str, list[str]] = {}
    for typ, value in _components(rec):
        by_type.setdefault(typ, []).append(value)
    if not by_type:
        return None
    return Instance(rec.text, by_type, rec.id, gold=tuple(by_type))


def address_component_match(rec: RawRecord, ctx: Context) -> Instance | None:
    """Two addresses, one component type both name: the same value or not. Half the time the other address
    is an earlier one naming the same value (when there is one), so both answers are common."""
    mine = dict(_components(rec))
    if not mine:
        return None
    typ = ctx.rng.choice(sorted(set(mine) & set(COARSE_COMPONENTS)) or sorted(mine))
    key = ("address_component", typ, mine[typ])
    other = ctx.keyed.get(key) if ctx.rng.random() < 0.5 else None
    for t, v in mine.items():
        ctx.remember_keyed(("address_component", t, v), rec)
    if other is None or other.text == rec.text:
        other = ctx.other(rec, lambda r: typ in dict(_components(r)) and r.text != rec.text)
    if other is None:
        return None
    gold, closed = _yes_no(rec, dict(_components(other))[typ] == mine[typ])
    text = _lines(rec, ("address_a", rec.text), ("address_b", other.text), ("type", typ))
    return Instance(text, gold, rec.id, gold=tuple(gold), closed=closed)


def address_match(rec: RawRecord, ctx: Context) -> Instance | None:
    cands, grades = rec.labels.get("candidates") or [], rec.labels.get("match_grades") or []
    if not cands or len(cands) != len(grades):
        return None
    i = ctx.rng.randrange(len(cands))
    names = ADDRESS_GRADES[rec.lang]
    label = names[grades[i]]
    text = _lines(rec, ("address", rec.text), ("candidate", str(cands[i])))
    return Instance(text, [label], rec.id, gold=(label,), closed=tuple(names.values()))


def _utterance(rec: RawRecord) -> str | None:
    turns = rec.labels.get("turns") or []
    if len(turns) != 1 or turns[0].get("role") != "user":
        return None  # multi-turn dialogues (the synthetic world's) are not one utterance
    return str(turns[0].get("text") or "") or None


def dialog_category(rec: RawRecord, ctx: Context) -> Instance | None:
    value = rec.labels.get("category")
    if not value or _utterance(rec) is None:
        return None
    return Instance(rec.text, [str(value)], rec.id, gold=(str(value),))


def _hint_words(text: str, k: int) -> list[str]:
    """Up to ``k`` content words of ``text``, longest first (ties by position): what the target must use."""
    words = list(dict.fromkeys(w for w in _WORD.findall(text) if w.lower() not in _STOP))
    return sorted(words, key=lambda w: (-len(w), words.index(w)))[:k]


def utterance_generate(rec: RawRecord, ctx: Context) -> Instance | None:
    utterance, intent = _utterance(rec), rec.labels.get("intent")
    if utterance is None or not intent:
        return None
    words = _hint_words(utterance, 2)
    if len(words) < 2:
        return None
    return Instance(_lines(rec, ("intent", str(intent)), ("words", ", ".join(words))), utterance, rec.id)


def description_generate(rec: RawRecord, ctx: Context) -> Instance | None:
    value = rec.labels.get("description")
    if not value or not rec.labels.get("attributes"):
        return None
    return Instance(_field(rec.lang, "attributes", rec.text), str(value), rec.id)


def copy_attributes(rec: RawRecord, ctx: Context) -> Instance | None:
    """The attribute values that the copy repeats verbatim (the copy written from the attributes, reversed)."""
    copy, attrs = rec.labels.get("description"), rec.labels.get("attributes") or {}
    found = {k: [str(v)] for k, v in sorted(attrs.items()) if v and str(v) in str(copy or "")}
    if not found:
        return None
    return Instance(_field(rec.lang, "copy", str(copy)), found, rec.id, gold=tuple(found))


def query_generate(rec: RawRecord, ctx: Context) -> Instance | None:
    cls = rec.labels.get("category")
    if not cls or rec.data_type != "query":
        return None
    words = [w for w in _hint_words(rec.text, 3) if w.lower() not in _norm(cls)]
    if not words:
        return None
    return Instance(_lines(rec, ("class", str(cls)), ("word", words[0])), rec.text, rec.id)


OPEN_KIND_FUNCS = {
    "offer_attribute_compare": offer_attribute_compare,
    "differing_attribute": differing_attribute,
    "title_normalize": title_normalize,
    "address_parse": address_parse,
    "address_component_match": address_component_match,
    "address_match": address_match,
    "dialog_category": dialog_category,
    "utterance_generate": utterance_generate,
    "description_generate": description_generate,
    "copy_attributes": copy_attributes,
    "query_generate": query_generate,
}
