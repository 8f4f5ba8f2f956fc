"""Where should the OCR-confidence expectation draw its line? Measured with real tesseract.

Clauses with numbers from the three gold clean texts (tests/gold/NNN.clean.txt) are rendered
as text lines in a CJK font under four scan conditions, recognised by tesseract through the
project's own path (TesseractEngine, psm 7, then ``words_to_units``: the number repairs and
their lowered confidences), and every recognised word that contains digits is judged: right
when each number in it is one of the clause's true numbers, wrong otherwise.

Prints the accuracy per confidence band and, per threshold, the share of wrong numbers the
expectation ``ocr_confidence_sufficient`` (ocr_min_conf >= threshold) would catch and the share
of right numbers it would throw away. Takes a few minutes (~0.3-1 s per tesseract call).

    .venv/bin/python benchmarks/validate_ocr_confidence.py [--per-condition 40]
"""

from __future__ import annotations

import argparse
import io
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reportflow.extract.ocr import words_to_units
from reportflow.extract.tesseract import TesseractEngine

GOLD = ROOT / "tests" / "gold"
FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
NUMBER = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Condition:
    name: str
    px: int
    blur: float = 0.0
    noise: float = 0.0
    jpeg: int | None = None
    ink: int = 0
    """Gray level of the text (0 = black; 150 = faded print)."""


CONDITIONS = (
    Condition("clean 32 px (~300 dpi, 8 pt)", 32),
    Condition("small 14 px (~100 dpi)", 14),
    Condition("blurred 16 px", 16, blur=1.5),
    Condition("noisy jpeg 15 px", 15, noise=40.0, jpeg=25),
    Condition("faded noisy 16 px", 16, noise=30.0, ink=150),
)


def clauses() -> list[str]:
    """Clauses (split at ，。；) of the gold texts that contain a number, 8-40 characters."""
    out = []
    for path in sorted(GOLD.glob("*.clean.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            for clause in re.split(r"[，。；：]", line):
                clause = clause.strip()
                if NUMBER.search(clause) and 8 <= len(clause) <= 40:
                    out.append(clause)
    return out


def render(text: str, c: Condition, rng: random.Random) -> np.ndarray:
    font = ImageFont.truetype(FONT, c.px)
    width = int(font.getlength(text)) + 2 * c.px
    image = Image.new("L", (width, int(c.px * 2.2)), 255)
    ImageDraw.Draw(image).text((c.px, int(c.px * 0.5)), text, font=font, fill=c.ink)
    if c.blur:
        image = image.filter(ImageFilter.GaussianBlur(c.blur))
    array = np.asarray(image, dtype=np.float32)
    if c.noise:
        array = array + np.random.default_rng(rng.randrange(1 << 30)).normal(0, c.noise, array.shape)
    array = np.clip(array, 0, 255).astype(np.uint8)
    if c.jpeg:
        buffer = io.BytesIO()
        Image.fromarray(array).save(buffer, "JPEG", quality=c.jpeg)
        array = np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("L"))
    return array


def judge(engine: TesseractEngine, text: str, c: Condition, rng: random.Random) -> list[tuple[float, bool]]:
    truth = set(NUMBER.findall(text))
    words = engine.words(render(text, c, rng), languages="chi_sim+eng", psm=7, dpi=0, timeout_s=60)
    judged = []
    for unit in words_to_units(words):
        numbers = NUMBER.findall(unit.text)
        if numbers and unit.conf is not None:
            judged.append((unit.conf, all(n in truth for n in numbers)))
    return judged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-condition", type=int, default=40)
    args = parser.parse_args()
    rng = random.Random(20230101)
    pool = clauses()
    engine = TesseractEngine()
    samples: list[tuple[str, float, bool]] = []
    for c in CONDITIONS:
        for text in rng.sample(pool, min(args.per_condition, len(pool))):
            samples.extend((c.name, conf, ok) for conf, ok in judge(engine, text, c, rng))

    print(
        f"{len(pool)} clauses with numbers; {args.per_condition} per condition; "
        f"{len(samples)} recognised words with digits\n"
    )
    print("| condition | words | wrong | wrong share |")
    print("| --- | ---: | ---: | ---: |")
    for c in CONDITIONS:
        rows = [s for s in samples if s[0] == c.name]
        wrong = sum(not ok for _, _, ok in rows)
        print(f"| {c.name} | {len(rows)} | {wrong} | {wrong / max(1, len(rows)):.1%} |")

    print("\n| confidence band | words | wrong | accuracy |")
    print("| --- | ---: | ---: | ---: |")
    bands = [(0, 30), (30, 50), (50, 60), (60, 70), (70, 80), (80, 90), (90, 101)]
    for lo, hi in bands:
        rows = [ok for _, conf, ok in samples if lo <= conf < hi]
        if rows:
            print(
                f"| {lo}-{min(hi, 100)} | {len(rows)} | {rows.count(False)} | {rows.count(True) / len(rows):.1%} |"
            )

    total_wrong = sum(not ok for _, _, ok in samples)
    total_right = len(samples) - total_wrong
    print("\n| threshold | wrong numbers caught | right numbers rejected |")
    print("| ---: | ---: | ---: |")
    for threshold in (30, 40, 50, 60, 70, 80, 90):
        caught = sum(1 for _, conf, ok in samples if not ok and conf < threshold)
        rejected = sum(1 for _, conf, ok in samples if ok and conf < threshold)
        print(
            f"| {threshold} | {caught}/{total_wrong} ({caught / max(1, total_wrong):.0%}) "
            f"| {rejected}/{total_right} ({rejected / max(1, total_right):.0%}) |"
        )


if __name__ == "__main__":
    main()
