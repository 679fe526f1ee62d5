"""The study: cached experiment stages, ablation definitions, tables beside the paper's numbers."""
