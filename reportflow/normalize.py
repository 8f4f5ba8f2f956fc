"""Character normalisation shared by every input path (text layer, OCR, .txt).

Deliberately narrower than NFKC: NFKC would also turn Chinese full-width punctuation
(，：（）) into ASCII and so change the verbatim evidence analysts read. We fold only
what is a different *encoding* of the same character:

* full-width digits, Latin letters and the number signs ％ ． ＋ － (→ ASCII);
* Kangxi radicals U+2F00–U+2FD5 (NFKC maps them to the unified ideograph);
* CJK radicals supplement U+2E81–U+2EF3, which NFKC leaves alone: the table below is
  Unicode's EquivalentUnifiedIdeograph.txt for that block (some producers' CJK fonts
  map e.g. 长 to ⻓);
* CJK compatibility ideographs (U+F900–FAFF, U+2F800–2FA1F) → their canonical unified
  ideograph (NFC), e.g. 金 U+F90A → 金 U+91D1;
* ideographic and no-break spaces → ' '; soft hyphens, zero-width characters and BOMs removed.
"""

from __future__ import annotations

import unicodedata

# Pairs "radical ideograph" from Unicode's EquivalentUnifiedIdeograph.txt, U+2E81..U+2EF3.
_RADICAL_SUPPLEMENT_PAIRS = (
    "⺁厂 ⺂乛 ⺃乚 ⺄乙 ⺅亻 ⺆冂 ⺇𠘨 ⺈刀 ⺉刂 ⺊卜 ⺋㔾 ⺌小 ⺍小 ⺎兀 ⺏尣 ⺐尢 ⺑𡯂 ⺒巳 ⺓幺 "
    "⺔彑 ⺕𫜹 ⺖忄 ⺗心 ⺘扌 ⺙攵 ⺛旡 ⺜日 ⺝月 ⺞歺 ⺟母 ⺠民 ⺡氵 ⺢氺 ⺣灬 ⺤爫 ⺥爫 ⺦丬 "
    "⺧牛 ⺨犭 ⺩王 ⺪𤴔 ⺫目 ⺬示 ⺭礻 ⺮𥫗 ⺯糹 ⺰纟 ⺱罓 ⺲罒 ⺳㓁 ⺴冗 ⺵𦉫 ⺶羊 ⺷𦍌 ⺸𦍋 "
    "⺹耂 ⺺肀 ⺻聿 ⺼肉 ⺽𦥑 ⺾艹 ⺿艹 ⻀艹 ⻁虎 ⻂衤 ⻃覀 ⻄西 ⻅见 ⻆角 ⻇𧢲 ⻈讠 ⻉贝 ⻊𧾷 "
    "⻋车 ⻌辶 ⻍辶 ⻎辶 ⻏邑 ⻐钅 ⻑長 ⻒镸 ⻓长 ⻔门 ⻕𨸏 ⻖阝 ⻗雨 ⻘青 ⻙韦 ⻚页 ⻛风 ⻜飞 "
    "⻝食 ⻞𩙿 ⻟飠 ⻠饣 ⻡𩠐 ⻢马 ⻣骨 ⻤鬼 ⻥鱼 ⻦鸟 ⻧卤 ⻨麦 ⻩黄 ⻪黾 ⻫斉 ⻬齐 ⻭歯 ⻮齿 "
    "⻯竜 ⻰龙 ⻱龜 ⻲亀 ⻳龟"
)


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for pair in _RADICAL_SUPPLEMENT_PAIRS.split():
        radical, ideograph = pair[0], pair[1:]
        table[ord(radical)] = ideograph
    for cp in range(0x2F00, 0x2FD6):  # Kangxi radicals: NFKC gives the unified ideograph
        table[cp] = unicodedata.normalize("NFKC", chr(cp))
    # CJK compatibility ideographs (U+F900–FAFF, U+2F800–2FA1F) are canonically equivalent to a
    # unified ideograph (金 U+F90A → 金 U+91D1); the dozen in that block without a mapping
    # (e.g. U+FA0E 﨎) are unified ideographs themselves and stay.
    for cp in list(range(0xF900, 0xFB00)) + list(range(0x2F800, 0x2FA20)):
        nfc = unicodedata.normalize("NFC", chr(cp))
        if nfc != chr(cp):
            table[cp] = nfc
    for cp in range(0xFF10, 0xFF1A):  # ０-９
        table[cp] = chr(cp - 0xFEE0)
    for cp in list(range(0xFF21, 0xFF3B)) + list(range(0xFF41, 0xFF5B)):  # Ａ-Ｚ ａ-ｚ
        table[cp] = chr(cp - 0xFEE0)
    for full, ascii_ in {"％": "%", "．": ".", "＋": "+", "－": "-"}.items():
        table[ord(full)] = ascii_
    for space in ("\u3000", "\u00a0", "\u2002", "\u2003", "\u2009", "\u202f"):
        table[ord(space)] = " "
    for invisible in ("\u00ad", "\u200b", "\u200c", "\u200d", "\ufeff"):
        table[ord(invisible)] = ""
    return table


_TABLE = _build_table()


def normalize_text(text: str) -> str:
    """Fold encoding variants of the same character (see the module docstring)."""
    return text.translate(_TABLE)


def normalize_char(char: str) -> str:
    """``normalize_text`` for one character (may return '' or two code units)."""
    return char.translate(_TABLE)


def is_cjk(char: str) -> bool:
    """True for Chinese characters and CJK punctuation (no space is ever put next to them)."""
    if not char:
        return False
    cp = ord(char[0])
    return (
        0x2E80 <= cp <= 0x2FDF
        or 0x3001 <= cp <= 0x303F
        or 0x3400 <= cp <= 0x9FFF
        or 0xF900 <= cp <= 0xFAFF
        or 0xFE30 <= cp <= 0xFE4F
        or 0xFF01 <= cp <= 0xFF0F
        or 0xFF1A <= cp <= 0xFF20
        or 0xFF3B <= cp <= 0xFF40
        or 0xFF5B <= cp <= 0xFF65
        or 0x20000 <= cp <= 0x3FFFF
        or char in "“”‘’…—·●"
    )
