"""Is a page's text layer worth reading, or must the page be OCR'd?

A text layer can be missing, or present and wrong in ways a "has text" test cannot see.
The checks, each a pure function of the page's characters and statistics, in the order
``judge_text_layer`` applies them (thresholds were set on the files of
``../shared/realdocs`` — see tests/test_extract_robustness.py — with wide margins):

* **no visible text** — nothing, or only invisible text (render mode 3/7: someone else's
  OCR layer over a scan; we re-OCR rather than trust text we have no confidences for);
* **unmapped glyphs** — PDFium's unicode-map errors (kept as U+FFFD), private-use or
  control characters, pdfminer's ``(cid:NN)`` — ≥ 5 % of the characters;
* **mostly symbols** — fewer than half the characters are letters, digits or CJK
  (a TrueType font without a cmap extracts as ``"7+%-``);
* **repeated glyphs** — a broken ToUnicode map that sends many glyphs to one code point
  (``轉轉︰針針針針…``): ≥ 25 % of CJK characters equal the one before them;
* **rare characters** — a wrong ToUnicode map gives valid but improbable CJK
  (``䋴䋮䋶糫…``, byte-swapped UTF-16 ``䴀甀氀…``): ≥ 25 % of the CJK characters are outside
  GB2312 and Big5's common-character block (real Chinese text, simplified or traditional,
  is > 99 % inside);
* **Latin-1 mojibake** — ≥ 30 % of the characters in U+0080–U+00FF (GBK bytes shown through
  a Western font, when ``repair_gbk_mojibake`` could not make certain sense of them; real
  French or German text has a few percent);
* **image page** — images cover ≥ half the page and the text covers < 2 % of it (a scan
  with a page number or a few stray fragments in a text layer).

GBK mojibake (GBK bytes shown through a Latin-1 font, ``¹ØÓÚºì¾ü``) is *repaired* when
it is certain (``repair_gbk_mojibake``): PDFium already decodes the two real examples
(it honours the GBK charset of the font), pdfminer/pdfplumber do not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from itertools import pairwise

from reportflow.models import TextUnit
from reportflow.normalize import normalize_char

UNMAPPED_SHARE = 0.05
SYMBOL_SHARE = 0.5
REPEAT_SHARE = 0.25
RARE_SHARE = 0.25
MIN_CJK_FOR_RARE = 4
IMAGE_COVER = 0.5
SPARSE_TEXT_COVER = 0.02

_CID = re.compile(r"\(cid:\d+\)")
# Character classes as regexes: counting with findall over a page's ~2,000 characters is
# ~10× faster than a Python call per character (is_unmapped, is_ideograph, isalnum).
_IDEOGRAPHS = "\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
_UNMAPPED = re.compile("[\x00-\x1f\x7f-\x9f\ue000-\uf8ff\ufffd\U000f0000-\U0010ffff]")
_IDEOGRAPH = re.compile(f"[{_IDEOGRAPHS}]")
_WORDLIKE = re.compile(f"[^\\W_]|[{_IDEOGRAPHS}]")  # str.isalnum() or an ideograph
_HIGH_LATIN1 = re.compile("[\x80-\xff]")


@dataclass(frozen=True, slots=True)
class Verdict:
    use_text: bool
    note: str
    """Why OCR is needed ('no text layer', 'text layer garbage: …'); '' when the text is used."""


@cache
def common_cjk() -> frozenset[str]:
    """Characters of GB2312 (simplified, kana, symbols) and Big5's 常用字 block (traditional)."""
    chars: set[str] = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    for code in range(0xA440, 0xC67F):
        hi, lo = code >> 8, code & 0xFF
        if 0x40 <= lo <= 0x7E or 0xA1 <= lo <= 0xFE:
            try:
                chars.add(bytes((hi, lo)).decode("big5"))
            except UnicodeDecodeError:
                pass
    return frozenset(chars)


def is_ideograph(char: str) -> bool:
    cp = ord(char[0])
    return 0x3400 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0x20000 <= cp <= 0x3FFFF


def is_unmapped(char: str) -> bool:
    """Replacement, private-use or control characters: glyphs without a real Unicode value."""
    cp = ord(char[0])
    return cp == 0xFFFD or 0xE000 <= cp <= 0xF8FF or cp < 0x20 or 0x7F <= cp < 0xA0 or cp >= 0xF0000


def unmapped_share(texts: Sequence[str]) -> float:
    """Share of unmapped glyphs; a pdfminer ``(cid:NN)`` run counts as one (unmapped) glyph."""
    cids = 0
    rest: list[str] = []
    for text in texts:
        if "(cid:" in text:
            found = len(_CID.findall(text))
            if found:
                cids += found
                text = _CID.sub("", text)
        rest.append(text)
    joined = "".join(rest)
    total = cids + len(joined)
    return (cids + len(_UNMAPPED.findall(joined))) / total if total else 0.0


def judge_text_layer(units: Sequence[TextUnit], *, invisible_chars: int = 0, image_cover: float = 0.0,
                     text_cover: float | None = None) -> Verdict:
    """Use the text layer, or OCR the page (with the reason in words)."""
    texts = [u.text for u in units]
    chars = "".join(texts)
    if "(cid:" in chars:
        chars = "".join(_CID.sub("\ufffd", t) for t in texts)
    if not chars.strip():
        if invisible_chars:
            return Verdict(False, f"text layer invisible ({invisible_chars} characters in render mode 3/7, an OCR layer): re-OCR")
        return Verdict(False, "no text layer")
    n = len(chars)
    share = unmapped_share(texts)
    if share >= UNMAPPED_SHARE:
        return Verdict(False, f"text layer garbage: {share:.0%} unmapped glyphs (font without a Unicode map)")
    wordlike = len(_WORDLIKE.findall(chars))
    if n >= 3 and wordlike / n < SYMBOL_SHARE:
        return Verdict(False, f"text layer garbage: {1 - wordlike / n:.0%} symbols ({chars[:20]!r})")
    latin1 = len(_HIGH_LATIN1.findall(chars))
    if n >= 4 and latin1 / n >= MOJIBAKE_MIN_SHARE:
        return Verdict(False, f"text layer garbage: {latin1 / n:.0%} Latin-1 letters (GBK text shown through a Western font?)")
    cjk = _IDEOGRAPH.findall(chars)
    if len(cjk) >= MIN_CJK_FOR_RARE:
        repeats = sum(1 for a, b in pairwise(cjk) if a == b)
        if repeats / len(cjk) >= REPEAT_SHARE:
            return Verdict(False, f"text layer garbage: {repeats / len(cjk):.0%} repeated glyphs (broken ToUnicode map)")
        common = common_cjk()
        rare = sum(1 for ch in cjk if ch not in common)
        if rare / len(cjk) >= RARE_SHARE:
            return Verdict(False, f"text layer garbage: {rare / len(cjk):.0%} rare characters (wrong ToUnicode map)")
    if text_cover is not None and image_cover >= IMAGE_COVER and text_cover < SPARSE_TEXT_COVER:
        return Verdict(
            False,
            f"image page: images cover {image_cover:.0%} of the page, text only {text_cover:.1%} ({n} characters)",
        )
    return Verdict(True, "")


# --- GBK mojibake -----------------------------------------------------------------------

MOJIBAKE_MIN_SHARE = 0.3
MOJIBAKE_COMMON_SHARE = 0.95


def _latin1_bytes() -> dict[str, int]:
    """The byte ≥ 0x80 a single-byte (WinAnsi/Latin-1) font shows as each character.

    A table, not ``char.encode("cp1252")`` per unit: every Chinese character of every page
    is looked up, and the failed encode (an exception each) cost ~5 ms on a dense page.
    """
    table = {chr(cp): cp for cp in range(0x80, 0x100)}  # Latin-1, C1 controls included
    for byte in range(0x80, 0x100):
        try:
            table[bytes((byte,)).decode("cp1252")] = byte  # WinAnsi's € ‚ ƒ „ … † ‡ ˆ ‰ Š …
        except UnicodeDecodeError:
            pass
    return table


_LATIN1_BYTE = _latin1_bytes()


def repair_gbk_mojibake(units: Sequence[TextUnit]) -> list[TextUnit] | None:
    """Re-decode runs of high-Latin-1 characters as GBK byte pairs, when that is certain.

    Certain means: ≥ 30 % of the characters are in U+0080–U+00FF, every such run has an
    even length and decodes strictly as GBK, and ≥ 95 % of the decoded characters are common
    CJK. Each decoded character gets the union box of its two source units. Returns None
    (no repair) otherwise.
    """
    if not units:
        return None
    high = [_LATIN1_BYTE.get(u.text) for u in units]
    if sum(b is not None for b in high) / len(units) < MOJIBAKE_MIN_SHARE:
        return None
    out: list[TextUnit] = []
    decoded_chars: list[str] = []
    i = 0
    while i < len(units):
        if high[i] is None:
            text = normalize_char(units[i].text) if len(units[i].text) == 1 else units[i].text
            if text.strip():
                out.append(units[i] if text == units[i].text else replace(units[i], text=text))
            i += 1
            continue
        j = i
        while j < len(units) and high[j] is not None:
            j += 1
        run = units[i:j]
        if len(run) % 2:
            return None
        try:
            text = bytes(b for b in high[i:j] if b is not None).decode("gbk")
        except UnicodeDecodeError:
            return None
        if len(text) * 2 != len(run):
            return None
        for k, raw in enumerate(text):
            first, second = run[2 * k], run[2 * k + 1]
            char = normalize_char(raw)
            if not char.strip():  # GBK's ideographic space: dropped like every space
                continue
            out.append(
                TextUnit(
                    char,
                    min(first.x0, second.x0),
                    min(first.top, second.top),
                    max(first.x1, second.x1),
                    max(first.bottom, second.bottom),
                    first.size,
                    first.fontname,
                    first.bold,
                )
            )
            decoded_chars.append(raw)
        i = j
    common = common_cjk()
    if not decoded_chars or sum(ch in common for ch in decoded_chars) / len(decoded_chars) < MOJIBAKE_COMMON_SHARE:
        return None
    return out
