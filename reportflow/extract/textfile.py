"""Decode a .txt report: UTF-8 (with or without BOM), UTF-16 (BOM or detectable), GB18030.

The decoder is chosen by evidence, strongest first:

1. a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE) — certain;
2. UTF-16 without a BOM: zero bytes concentrated on one byte parity (ASCII/CJK text in
   UTF-16 has a zero in every other byte for ASCII, and no odd-length file) and a strict
   decode that reads as text;
3. strict UTF-8: multi-byte UTF-8 is self-validating, so a strict decode of non-ASCII
   text is very unlikely to succeed by chance for GB18030 bytes;
4. GB18030 (a superset of GBK and GB2312) strictly, accepted when the result reads as
   Chinese: ≥ 90 % of its non-ASCII characters are common CJK (GB2312 / Big5 common).

Anything else is a TextDecodeError naming what was tried. The text is then normalised
(``normalize_text``) and its line ends unified to ``\\n``.
"""

from __future__ import annotations

import codecs
import logging
from dataclasses import dataclass
from pathlib import Path

from reportflow.errors import EmptyFileError, NoTextError, TextDecodeError
from reportflow.extract.textcheck import common_cjk
from reportflow.normalize import normalize_text

log = logging.getLogger(__name__)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)
COMMON_SHARE = 0.9
"""Share of non-ASCII characters that must be common CJK for a GB18030 decode to be accepted."""
MAX_CONTROL_SHARE = 0.01


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    encoding: str
    """'utf-8', 'utf-8-sig' (BOM), 'utf-16' / 'utf-32' (BOM), 'utf-16-le' / 'utf-16-be' (no BOM) or 'gb18030'."""
    evidence: str
    """Why this encoding: 'BOM', 'zero-byte pattern', 'strict UTF-8', 'common CJK 99%'."""


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for ch in text if (ord(ch) < 0x20 and ch not in "\n\r\t\f") or 0x7F <= ord(ch) < 0xA0)
    return bad / len(text)


def _common_share(text: str) -> float:
    """Share of non-ASCII, non-space characters that are common CJK or CJK punctuation."""
    common = common_cjk()
    others = [ch for ch in text if ord(ch) >= 0x80 and not ch.isspace()]
    if not others:
        return 1.0
    return sum(ch in common for ch in others) / len(others)


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when the zero bytes sit on one parity, else None."""
    if len(data) < 4 or len(data) % 2:
        return None
    even_zeros = data[0::2].count(0)
    odd_zeros = data[1::2].count(0)
    pairs = len(data) // 2
    # ASCII in UTF-16 gives a zero in every pair; pure CJK text none, so require some ASCII
    # (newlines, digits) and a clear imbalance between the two parities.
    if odd_zeros >= 0.1 * pairs and even_zeros <= 0.02 * pairs:
        return "utf-16-le"
    if even_zeros >= 0.1 * pairs and odd_zeros <= 0.02 * pairs:
        return "utf-16-be"
    return None


def _utf16_by_content(data: bytes) -> DecodedText | None:
    """UTF-16 without BOM and without ASCII (no zero bytes): accept a decode that reads as Chinese."""
    if len(data) % 2:
        return None
    for name in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        share = _common_share(text)
        if share >= COMMON_SHARE and _control_share(text) <= MAX_CONTROL_SHARE:
            return DecodedText(text, name, f"common CJK {share:.0%} as {name}")
    return None


def decode_text_bytes(data: bytes) -> DecodedText:
    """Decode a text file's bytes by evidence (see the module docstring)."""
    if not data:
        raise EmptyFileError("empty file (0 bytes): nothing to extract")
    for bom, name, codec in _BOMS:
        if data.startswith(bom):
            try:
                return DecodedText(data[len(bom):].decode(name), codec, "BOM")
            except UnicodeDecodeError as exc:
                raise TextDecodeError(f"file starts with a {name} byte-order mark but is not valid {name}: {exc}") from exc
    guess = _utf16_without_bom(data)
    if guess is not None:
        try:
            text = data.decode(guess)
        except UnicodeDecodeError:
            text = None
        if text is not None and _control_share(text) <= MAX_CONTROL_SHARE:
            return DecodedText(text, guess, "zero-byte pattern")
    if b"\x00" in data:
        raise TextDecodeError(
            "binary file, not text: it contains NUL bytes and is not UTF-16 (rename or convert it)"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if _control_share(text) > MAX_CONTROL_SHARE:
            raise TextDecodeError(f"decodes as UTF-8 but {_control_share(text):.0%} control characters: not a text file")
        return DecodedText(text, "utf-8", "strict UTF-8")
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        rescued = _utf16_by_content(data)
        if rescued is not None:
            return rescued
        raise TextDecodeError(
            f"not UTF-8, UTF-16 or GB18030 (invalid byte {data[exc.start]:#04x} at offset {exc.start}): "
            "save the file as UTF-8 and ingest again"
        ) from exc
    share = _common_share(text)
    if share < COMMON_SHARE or _control_share(text) > MAX_CONTROL_SHARE:
        rescued = _utf16_by_content(data)
        if rescued is not None:
            return rescued
        raise TextDecodeError(
            f"not UTF-8 or UTF-16, and as GB18030 only {share:.0%} of the characters are common Chinese: "
            "unknown encoding (save the file as UTF-8 and ingest again)"
        )
    return DecodedText(text, "gb18030", f"common CJK {share:.0%}")


def read_text_file(path: Path) -> DecodedText:
    """Decode ``path`` and return normalised text with ``\\n`` line ends."""
    decoded = decode_text_bytes(path.read_bytes())
    text = normalize_text(decoded.text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise NoTextError(f"text file ({decoded.encoding}) contains only whitespace")
    log.debug("%s decoded as %s (%s)", path.name, decoded.encoding, decoded.evidence)
    return DecodedText(text, decoded.encoding, decoded.evidence)
