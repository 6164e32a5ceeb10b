"""Metric families of the benchmark: text (OCR-based), per-frame quality (Mf), temporal
consistency (Mc), and structure checks for figures, plots and roads."""
