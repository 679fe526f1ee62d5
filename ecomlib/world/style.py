"""How one source dataset renders the shared world: templates, vocabulary pool, noise, taxonomy."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Style:
    templates: tuple[str, ...] = ()  # title/query templates (see products.render_title)
    heldout_vocab: bool = False  # render only held-out brands/modifiers/products
    noise: float = 0.0  # multiplier on WorldConfig.typo_rate (English word typos)
    n_attrs: tuple[int, int] = (2, 4)  # attributes shown per title / mentioned per review
    taxonomy: str = "canonical"  # label names: canonical | lenovo | mepave | openbg | absa | reddit
    variants: int = 1  # title variants per product in a row (item alignment)
    lowercase: bool = False
    multi_label_rate: float = 0.0  # reviews with two topics (ABSA-like)
    unanswerable_rate: float = 0.25  # product QA
    describe: bool = True  # product records carry a description
    pseudo: bool = False  # labels come from the noisy labeler
