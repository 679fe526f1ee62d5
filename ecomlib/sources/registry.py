"""The pinned files of the open world and the named sources built from them.

``registry.tsv`` (next to this module) lists every file we rely on: its group (a source name, or
``EcomGPTEval`` for the evaluation folders the suite loader reads), the GitHub repository, the
commit it is pinned to, its path in that repository, its size and sha256, its language, data type
the license the repository states, and its ``use``:

* ``train``: read into the open build (``ecomlib.sources.list_sources``);
* ``staged``: registered, fetched and read (``ecomlib sources``), but kept out of the build until its
  tasks are defined, so an open build is unchanged by registering a new source (none is staged now);
* ``eval``: evaluation only, never trained on (the EcomGPT folders, ChineseEcomQA); the leak guard
  (``ecomlib.instruct.leak_guard``) checks train against them.

The files themselves are never part of the project; they
live under a data directory as ``<owner>/<repo>/<path>``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ecomlib.errors import DataError, where
from ecomlib.recordtypes import SourceSpec
from ecomlib.schema import TASK_KINDS, UNSEEN_TASK_KINDS

REGISTRY_FILE = "registry.tsv"
_COLUMNS = ("group", "repo", "commit", "path", "bytes", "sha256", "lang", "data_type", "license", "use")
USES = ("train", "staged", "eval")
# Groups whose files are fetched but not read into raw records here (the suite loader reads them).
EVAL_GROUP = "EcomGPTEval"  # the 26 files of the 13 published evaluation folders (--suite ecomgpt)
CHINESE_ECOMQA_GROUP = "ChineseEcomQA"  # a 2025 benchmark (--suite chinese_ecomqa): evaluation only
FILE_ONLY_GROUPS = (EVAL_GROUP, CHINESE_ECOMQA_GROUP)
# A licence note naming one of these (and not saying the data has none) allows redistribution.
_OPEN_LICENCES = ("Apache-2.0", "MIT", "CDLA-Sharing-1.0", "ODbL-1.0")
_NO_LICENCE = ("none stated", "no license", "states no license", "academic research use only", "terms apply")


@dataclass(frozen=True)
class PinnedFile:
    group: str
    repo: str  # owner/name
    commit: str
    path: str  # inside the repository, '/'-separated, may be non-ASCII
    bytes: int
    sha256: str
    lang: str
    data_type: str  # product | review | qa | query | dialogue | eval | license | doc
    license: str
    use: str = "train"  # train | staged | eval (module doc)

    @property
    def rel_path(self) -> str:
        """Where the file lives under a data directory: ``<owner>/<repo>/<path>``."""
        return f"{self.repo}/{self.path}"

    def local(self, data_dir: Path) -> Path:
        return Path(data_dir) / self.repo / self.path


def _load_files() -> tuple[PinnedFile, ...]:
    text = resources.files("ecomlib.sources").joinpath(REGISTRY_FILE).read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or tuple(rows[0]) != _COLUMNS:
        raise DataError(f"{where(REGISTRY_FILE, 1)}: expected header {_COLUMNS}")
    files = []
    for lineno, row in enumerate(rows[1:], start=2):
        if len(row) != len(_COLUMNS):
            raise DataError(f"{where(REGISTRY_FILE, lineno)}: expected {len(_COLUMNS)} columns, got {len(row)}")
        d = dict(zip(_COLUMNS, row))
        if len(d["commit"]) != 40 or len(d["sha256"]) != 64:
            raise DataError(f"{where(REGISTRY_FILE, lineno)}: commit must be 40 and sha256 64 hex digits")
        if d["use"] not in USES:
            raise DataError(f"{where(REGISTRY_FILE, lineno, 'use')}: expected one of {USES}, got {d['use']!r}")
        files.append(PinnedFile(**{**d, "bytes": int(d["bytes"])}))
    return tuple(files)


FILES: tuple[PinnedFile, ...] = _load_files()


def _spec(name: str, lang: str, data_type: str, tasks: tuple[str, ...], description: str,
          heldout: bool = False, paper_analog: str = "",
          derivations: tuple[tuple[str, str], ...] | None = None) -> SourceSpec:
    return SourceSpec(name=name, lang=lang, data_type=data_type, tasks=tasks, heldout=heldout,
                      description=description, paper_analog=paper_analog, derivations=derivations)


# The ditto pairs' own label (same product or not) is the held-out unseen task item_align (PriceRunner):
# training on it would make that level seen, so the pairs give only these atomic tasks.
OFFER_PAIR_DERIVATIONS = (("offer_attribute_compare", "simplify"), ("differing_attribute", "recombine"),
                          ("title_normalize", "reverse"))


SPECS: tuple[SourceSpec, ...] = (
    _spec("TaobaoNER", "zh", "product", ("ner",),
          "Taobao product titles, character BIO NER: product word, brand, model, misc",
          paper_analog="E_commerce_ner"),
    _spec("YoukuNER", "zh", "product", ("ner",),
          "Youku video titles, character BIO NER: television, person, misc"),
    _spec("OAMine", "en", "product", ("attribute_value_extraction", "coarse_classify"),
          "Amazon product titles with product type and attribute values (OA-Mine)",
          paper_analog="MAVE"),
    _spec("AE110k", "en", "product", ("attribute_value_extraction", "coarse_classify"),
          "AliExpress product titles with category and attribute values (AE-110k)"),
    _spec("WDCPAVE", "en", "product", ("attribute_value_extraction",),
          "web-shop offers (title + description) with attribute values, 5 categories (WDC-PAVE)",
          heldout=True),
    _spec("PriceRunner", "en", "product", ("coarse_classify", "item_align"),
          "PriceRunner offer titles with category and product cluster (same id = same product)",
          heldout=True, paper_analog="Product Align"),
    _spec("Zhijiang", "zh", "review", ("aspect_extraction", "opinion_extraction", "aspect_category", "aspect_polarity"),
          "cosmetics reviews with (aspect, opinion, category, polarity) tuples (Zhijiang Cup 2019)"),
    _spec("Eprstmt", "zh", "review", ("sentiment",),
          "e-commerce review sentiment (FewCLUE EPRSTMT)", heldout=True),
    _spec("OnlineShopping", "zh", "review", ("sentiment", "product_category"),
          "online-shopping reviews with sentiment and one of 10 product categories"),
    _spec("SemEvalLaptop", "en", "review", ("aspect_extraction", "aspect_polarity"),
          "SemEval-2014 laptop review sentences with aspect terms and polarity", heldout=True),
    _spec("FewSum", "en", "review", ("review_summary",),
          "8 Amazon reviews per product with human-written summaries (FewSum)"),
    _spec("HuLiu", "en", "review", ("aspect_extraction", "aspect_polarity"),
          "Hu & Liu (2004) Amazon review sentences with product features and polarity"),
    _spec("ePQA", "en", "qa", ("answerability", "evidence_select"),
          "product questions with 10 candidate evidence sentences graded 0/1/2 (ePQA)"),
    _spec("hetPQA", "en", "qa", ("answer_generate",),
          "product question, one evidence sentence and a written answer (hetPQA answer generation)"),
    # Issue #17: the four basic data types (product, review, query, dialogue). Each lists its own
    # Chain-of-Task derivations (the paper's atomic tasks from the same data); see ecomlib.instruct.kinds_open.
    _spec("AbtBuy", "en", "product", (), "Abt vs Buy offer pairs: same product or not (ditto, DeepMatcher)",
          derivations=OFFER_PAIR_DERIVATIONS),
    _spec("AmazonGoogle", "en", "product", (), "Amazon vs Google software offer pairs: same product or not (ditto)",
          derivations=OFFER_PAIR_DERIVATIONS),
    _spec("WDCProducts", "en", "product", (), "web-shop offer title pairs: same product or not (ditto, WDC)",
          derivations=OFFER_PAIR_DERIVATIONS),
    _spec("ChineseAddress", "zh", "query", ("address_parse",),
          "Chinese addresses, character BIO over 21 component types",
          derivations=(("entity_span_detection", "simplify"), ("entity_typing", "simplify"),
                       ("single_type_extraction", "simplify"), ("address_component_match", "recombine"))),
    _spec("CCKSAddress", "zh", "query", ("address_match",), "address vs candidate addresses graded exact / partial / "
          "no match (CCKS 2021)", paper_analog="ccks2021_address", derivations=()),
    _spec("HINT3Curekart", "en", "dialogue", ("dialog_intent",), "customer utterances to a health-shop bot with "
          "intent; out-of-scope test rows", derivations=(("utterance_generate", "reverse"),)),
    _spec("HINT3Sofmattress", "en", "dialogue", ("dialog_intent",), "customer utterances to a mattress-shop bot "
          "with intent; out-of-scope test rows", derivations=(("utterance_generate", "reverse"),)),
    _spec("Bitext", "en", "dialogue", ("dialog_intent",), "customer-service utterances with intent (27) and "
          "category (11)", paper_analog="JDDC intent",
          derivations=(("dialog_category", "simplify"), ("utterance_generate", "reverse"))),
    _spec("AdvertiseGen", "zh", "product", ("description_generate",),
          "apparel attribute key-value pairs with advertising copy", derivations=(("copy_attributes", "reverse"),)),
    _spec("WANDS", "en", "query", ("query_category",), "Wayfair search queries with product class",
          derivations=(("query_generate", "reverse"),)),
    _spec("semiPQA", "en", "product", ("description_generate",),
          "one product attribute (semi-structured) with a fluent sentence", derivations=(("copy_attributes", "reverse"),)),
)


def _check() -> None:
    """The registry's own invariants; a broken edit fails at import, not deep in the builder."""
    names = [s.name for s in SPECS]
    groups = {f.group for f in FILES}
    for s in SPECS:
        assert "-" not in s.name and " " not in s.name, s.name
        assert s.name in groups, f"source {s.name} has no pinned files"
        uses = {f.use for f in files_of(s.name)}
        assert len(uses) == 1 and uses <= {"train", "staged"}, f"{s.name}: use {uses}"
        yields = bool(s.tasks or s.derivations)
        assert yields == (uses == {"train"}), f"{s.name}: a source in the build needs tasks, a staged one has none"
        for t in s.tasks:
            assert t in TASK_KINDS, f"{s.name}: unknown task kind {t}"
            assert s.heldout or t not in UNSEEN_TASK_KINDS, f"{s.name}: training source with unseen kind {t}"
    assert len(set(names)) == len(names)
    assert groups <= set(names) | set(FILE_ONLY_GROUPS), groups - set(names)
    evals = files_of(EVAL_GROUP)
    assert len(evals) == 26 and len({eval_folder(f) for f in evals}) == 13, "the 13 published folders x 2 files"
    assert all(f.use == "eval" for g in FILE_ONLY_GROUPS for f in files_of(g)), "file-only groups are evaluation only"


SPEC_BY_NAME: dict[str, SourceSpec] = {s.name: s for s in SPECS}


def source_use(name: str) -> str:
    """``train``, ``staged`` or ``eval`` (one per group, checked at import)."""
    return files_of(name)[0].use


def redistributable(license_note: str) -> bool:
    """Whether a licence note names an open licence for the data itself (else: cite, do not re-host)."""
    note = license_note.lower()
    return any(lic.lower() in note for lic in _OPEN_LICENCES) and not any(x in note for x in _NO_LICENCE)


def licence_lines(datasets: list[str]) -> list[str]:
    """The data card's licence table for the open-world datasets a build holds (names not in the
    registry, e.g. synthetic ones, are skipped); flags as ``ecomlib sources`` shows them."""
    rows = []
    for name in sorted(set(datasets)):
        files = files_of(name)
        if files:
            flags = ([] if redistributable(files[0].license) else ["no-redistribution"])
            flags = (["eval-only"] if files[0].use == "eval" else []) + flags
            rows.append(f"| {name} | {files[0].repo}@{files[0].commit[:7]} | {files[0].license} | {', '.join(flags)} |")
    if not rows:
        return []
    return ["## Licences", "", "What the build contains, by dataset (licence note as the repository states it; "
            "`no-redistribution`: no open licence covers the data, so cite it and point to the pinned file "
            "rather than re-hosting it).", "", "| dataset | repository | licence note | flags |", "|---|---|---|---|",
            *rows, ""]


def files_of(group: str) -> tuple[PinnedFile, ...]:
    return tuple(f for f in FILES if f.group == group)


def eval_folder(f: PinnedFile) -> str:
    """The evaluation folder a pinned EcomGPTEval file belongs to (``LANG-Dataset-TaskType-name``)."""
    return f.path.rsplit("/", 2)[-2]


def pinned(group: str, path: str) -> PinnedFile:
    """The pinned file of ``group`` at repository ``path`` (readers name their files this way)."""
    for f in FILES:
        if f.group == group and f.path == path:
            return f
    raise KeyError(f"{group}: no pinned file {path!r} in {REGISTRY_FILE}")


_check()
