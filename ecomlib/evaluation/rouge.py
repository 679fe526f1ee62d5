"""Rouge-L F in two named variants (scores in [0, 1]; callers scale to percent).

``ws``   reference-compatible: the PyPI ``rouge`` package (pltrdy) as the published evaluation calls it,
         ``Rouge().get_scores(hyp, ref)["rouge-l"]["f"]``: text split into "sentences" on ".", words on
         single spaces after whitespace normalisation, summary-level union-LCS over *sets* of words
         (``exclusive=True``), ``f = 2pr / (p + r + 1e-8)``. Unsegmented Chinese is one token, so
         Chinese Rouge ~ exact match, and identical strings give 0.99999999, not 1.
         Where the package raises (a side with no sentence, e.g. "" or "..."), we return 0.0.
``char`` corrected: Chinese (CJK) by character, other scripts by word (runs of letters and digits),
         case-folded and NFKC-normalised; punctuation and symbols are *not* tokens, so an answer made
         only of punctuation (``::::``) shares nothing with a gold answer and scores 0 (as tokens, the
         colons of every NER gold line would have matched it). Plain LCS F1
         ``2*lcs / (len(h) + len(r))``. Where neither side has a word token (both empty, or only
         punctuation), the score is 1 if the normalised texts are equal, else 0, so every gold
         answer still scores 1 against itself.
"""

from __future__ import annotations

import re
import unicodedata


def _ws_sentences(text: str) -> list[str]:
    return [" ".join(s.split()) for s in text.split(".") if len(s) > 0]


def _lcs_table(x: list[str], y: list[str]) -> list[list[int]]:
    t = [[0] * (len(y) + 1) for _ in range(len(x) + 1)]
    for i in range(1, len(x) + 1):
        xi, row, prev = x[i - 1], t[i], t[i - 1]
        for j in range(1, len(y) + 1):
            row[j] = prev[j - 1] + 1 if xi == y[j - 1] else max(prev[j], row[j - 1])
    return t


def _recon_lcs_words(x: list[str], y: list[str]) -> set[str]:
    """The words of one LCS, reconstructed with the package's tie-breaking (up only if strictly better)."""
    t = _lcs_table(x, y)
    i, j, words = len(x), len(y), set()
    while i > 0 and j > 0:
        if x[i - 1] == y[j - 1]:
            words.add(x[i - 1])
            i, j = i - 1, j - 1
        elif t[i - 1][j] > t[i][j - 1]:
            i -= 1
        else:
            j -= 1
    return words


def rouge_l_ws(hyp: str, ref: str) -> float:
    """pltrdy ``rouge-l`` F of one (hypothesis, reference) pair; 0.0 where the package would raise."""
    hs, rs = _ws_sentences(hyp), _ws_sentences(ref)
    if not hs or not rs:
        return 0.0
    ref_words = [w for s in rs for w in s.split(" ")]
    hyp_words = [w for s in hs for w in s.split(" ")]
    m, n = len(set(ref_words)), len(set(hyp_words))
    union: set[str] = set()
    llcs = 0
    for r in rs:
        rw = r.split(" ")
        before = len(union)
        for h in hs:
            union |= _recon_lcs_words(rw, h.split(" "))
        llcs += len(union) - before
    r_lcs, p_lcs = llcs / m, llcs / n
    return 2.0 * ((p_lcs * r_lcs) / (p_lcs + r_lcs + 1e-8))


_CJK = (
    "\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3190-\u31ef\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f"
)
_TOKEN = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+", re.UNICODE)


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def char_tokens(text: str) -> list[str]:
    """CJK characters one by one, runs of other letters/digits as words; punctuation, symbols and
    underscores are dropped (they carry no answer: see the module doc)."""
    return _TOKEN.findall(_normalise(text))


def lcs_len(x: list[str], y: list[str]) -> int:
    if not x or not y:
        return 0
    prev = [0] * (len(y) + 1)
    for xi in x:
        cur = [0]
        for j, yj in enumerate(y, start=1):
            cur.append(prev[j - 1] + 1 if xi == yj else max(prev[j], cur[j - 1]))
        prev = cur
    return prev[-1]


def rouge_l_char(hyp: str, ref: str) -> float:
    h, r = char_tokens(hyp), char_tokens(ref)
    if not h and not r:  # no word on either side: only an identical text (e.g. both empty) matches
        return 1.0 if " ".join(_normalise(hyp).split()) == " ".join(_normalise(ref).split()) else 0.0
    if not h or not r:
        return 0.0
    return 2.0 * lcs_len(h, r) / (len(h) + len(r))
