"""Readers for customer-service utterances: HINT3 (two real shop bots) and Bitext (shxunxk/Chatbot).

Each utterance is a one-turn dialogue: ``text`` is ``user: <utterance>`` (the record contract's
rendering), ``labels["turns"]`` the turn, ``labels["intent"]`` its intent.

HINT3 (``sentence,label``; the Curekart train file has CRLF line ends): test rows labelled
``NO_NODES_DETECTED`` are out of scope, i.e. no intent of the bot applies. They are kept with
``intent`` None and ``out_of_scope`` True (counted), never read as an intent called NO_NODES_DETECTED.

Bitext (``flags,utterance,category,intent``; the header starts with a UTF-8 BOM, removed and counted)
is pinned at commit 1e2b735 of shxunxk/Chatbot, after which the file was deleted upstream: it is
fetched from that commit, and each read counts the file as pinned below HEAD.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ecomlib.recordtypes import RawRecord
from ecomlib.sources.base import BOM, ReadStats, SourceFile

HINT3_BOTS = {"HINT3Curekart": "curekart", "HINT3Sofmattress": "sofmattress"}
OUT_OF_SCOPE = "NO_NODES_DETECTED"
BITEXT_PATH = ("Data/archive/Bitext_Sample_Customer_Service_Training_Dataset/Training/"
               "Bitext_Sample_Customer_Service_Training_Dataset.csv")
BITEXT_COLUMNS = ("flags", "utterance", "category", "intent")


def note_bom(sf: SourceFile, stats: ReadStats) -> None:
    if sf.read_bytes().startswith(BOM.encode("utf-8")):
        stats.repair("UTF-8 BOM removed")


def _turn(name: str, split: str, line: int, utterance: str, labels: dict, meta: dict) -> RawRecord:
    text = f"user: {utterance}"
    return RawRecord(id=f"{name}-{split}-{line:05d}", source=name, data_type="dialogue", lang="en", text=text,
                     labels={"turns": [{"role": "user", "text": utterance}], **labels},
                     meta={"split": split, "line": line, **meta})


def read_hint3(name: str, data_dir: Path, stats: ReadStats) -> Iterator[RawRecord]:
    bot = HINT3_BOTS[name]
    for split in ("train", "test"):
        sf = SourceFile(name, data_dir, f"dataset/v2/{split}/{bot}_{split}.csv", stats)
        note_bom(sf, stats)
        for line, row in sf.csv_rows(("sentence", "label")):
            utterance, label = " ".join(row["sentence"].split()), row["label"].strip()
            if not utterance or not label:
                stats.drop("empty utterance or label")
                continue
            if label == OUT_OF_SCOPE:
                stats.repair(f"out-of-scope label {OUT_OF_SCOPE} read as out_of_scope")
                labels = {"intent": None, "out_of_scope": True}
            else:
                labels = {"intent": label, "out_of_scope": False}
            yield _turn(name, split, line, utterance, labels, {})


def read_bitext(name: str, data_dir: Path, stats: ReadStats) -> Iterator[RawRecord]:
    sf = SourceFile(name, data_dir, BITEXT_PATH, stats)
    note_bom(sf, stats)
    # the pinned commit still has the file, the repository's HEAD no longer does (fetched by commit)
    stats.repair(f"file read at pinned non-HEAD commit {sf.pin.commit[:7]} (removed upstream later)")
    for line, row in sf.csv_rows(BITEXT_COLUMNS):
        utterance = " ".join(row["utterance"].split())
        intent, category = row["intent"].strip(), row["category"].strip()
        if not utterance or not intent or not category:
            stats.drop("empty utterance, intent or category")
            continue
        yield _turn(name, "train", line, utterance, {"intent": intent, "category": category},
                    {"flags": row["flags"]})
