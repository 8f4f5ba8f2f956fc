"""Fact extraction: repaired paragraphs → numeric facts (indicator, value, unit, kind, year, evidence).

Entry points (see docs/architecture.md):

* ``document_context(paragraphs, file_name) -> DocumentContext``: title, region, report year;
* ``extract_facts(paragraphs, context) -> list[Fact]``: every numeric statement;
* ``parse_number(text) -> float | None``: the normalised number parser ('3,773.41', '两', '三十').

Editable data beside this module: ``indicators.csv`` (indicator codes and their synonyms),
``gazetteer.csv`` (region short names, official names, pinyin) and ``set_phrases.txt``
(fixed expressions whose numerals are not quantities).
"""

from __future__ import annotations

from reportflow.facts.context import document_context
from reportflow.facts.extract import extract_facts
from reportflow.facts.indicators import indicator_code
from reportflow.facts.numbers import parse_number
from reportflow.facts.units import normalise

__all__ = ["document_context", "extract_facts", "indicator_code", "normalise", "parse_number"]
