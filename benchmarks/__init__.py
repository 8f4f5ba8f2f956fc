"""Benchmark scripts and the corpus they run on (not part of the installed package)."""
