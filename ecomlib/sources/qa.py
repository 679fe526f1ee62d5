"""Readers for product-QA sources: ePQA (answerability + evidence selection) and hetPQA.

ePQA grades 10 candidate sentences per question: 0 irrelevant, 1 relevant but not an answer,
2 answers the question. One record per question: ``text`` is the candidates one per line,
``evidence`` the candidates, ``answerable`` whether any candidate is graded 2, ``evidence_indices``
every such candidate (often several answer the question), ``evidence_index`` the first of them and
``answer`` the answer written for it. ``answer`` is free text, so it is a span only when it happens
to occur verbatim in the context.

hetPQA rows all have an answer by construction, so its records carry no ``answerable`` label: a
constant is not an annotation (an answerability task from it would be "yes" in every row).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ecomlib.recordtypes import RawRecord, Span
from ecomlib.sources.base import ReadStats, SourceFile, first_span, unescape_html

EPQA_COLUMNS = ("qid", "question", "ASIN", "candidate", "source", "qa_pair_id", "title", "label", "answer")
HETPQA_COLUMNS = ("ASIN", "question", "candidate", "answer", "source")


def _answer_spans(text: str, answer: str | None) -> list[Span]:
    sp = first_span(text, answer, "answer") if answer else None
    return [sp] if sp else []


def read_epqa(name: str, data_dir: Path, stats: ReadStats) -> Iterator[RawRecord]:
    sf = SourceFile(name, data_dir, "ePQA/dev.csv", stats)
    groups: dict[str, list[tuple[int, dict]]] = {}
    for line, row in sf.csv_rows(EPQA_COLUMNS):
        if row["label"] not in ("0", "1", "2"):
            raise sf.error(line, f"field 'label': expected 0, 1 or 2, got {row['label']!r}")
        rows = groups.setdefault(row["qid"], [])
        if rows and rows[0][1]["question"] != row["question"]:
            raise sf.error(line, f"question {row['qid']!r} differs from its first row (line {rows[0][0]})")
        rows.append((line, row))
    for qid, rows in groups.items():
        first = rows[0][1]
        # A candidate spanning lines would break the one-candidate-per-line context: flatten it.
        evidence = [" ".join(r["candidate"].split()) for _, r in rows]
        if not first["question"].strip() or not any(evidence):
            stats.drop("empty question or candidates")
            continue
        grades = [int(r["label"]) for _, r in rows]
        answering = [i for i, g in enumerate(grades) if g == 2]
        best = answering[0] if answering else None
        answer = rows[best][1]["answer"].strip() if best is not None else None
        text = "\n".join(evidence)
        yield RawRecord(
            id=f"{name}-{qid}", source=name, data_type="qa", lang="en", text=text,
            spans=_answer_spans(text, answer),
            labels={"question": first["question"].strip(), "answerable": best is not None, "answer": answer or None,
                    "evidence": evidence, "evidence_index": best, "evidence_indices": answering},
            meta={"line": rows[0][0], "asin": first["ASIN"], "title": first["title"], "grades": grades,
                  "evidence_sources": [r["source"] for _, r in rows]},
        )


def read_hetpqa(name: str, data_dir: Path, stats: ReadStats) -> Iterator[RawRecord]:
    for split in ("train", "dev", "test"):
        sf = SourceFile(name, data_dir, f"hetPQA/answer_generation/{split}.csv", stats)
        # Tab-separated despite the .csv name.
        for line, row in sf.csv_rows(HETPQA_COLUMNS, delimiter="\t"):
            text, question, answer = (unescape_html(row[k].strip(), stats) for k in ("candidate", "question", "answer"))
            if not (text and question and answer):
                stats.drop("empty question, evidence or answer")
                continue
            yield RawRecord(id=f"{name}-{split}-{line:05d}", source=name, data_type="qa", lang="en", text=text,
                            spans=_answer_spans(text, answer),
                            labels={"question": question, "answer": answer},
                            meta={"split": split, "line": line, "asin": row["ASIN"], "evidence_source": row["source"]})
