"""Corpus for the throughput benchmark: many distinct text-layer PDFs and scans, by page count.

A year of reports is many *different* documents: different regions, layouts, editions.
Identical files would be deduplicated by sha256 (and cached by Prefect), so every document
here is a variant of one of the layout benchmark's 14 cases (``benchmarks.corpus.LAYOUT_SPECS``)
with its own

* region: the source report's own place name (开平 / 新会 / 江门) replaced everywhere by a
  real Guangdong county-level name (``REGION_NAMES``), so documents do not all state the
  same facts of the same three regions (which would make the cross-document validation
  check compare each fact with hundreds of copies of itself — no real year of reports does);
* typography: body size, leading, producer (reportlab / fpdf2), running-head set and
  edition number, drawn from a generator seeded with the variant's number;
* layout (columns, bands, page size, stream order) of its template case.

``text_documents(pages)`` returns the first variants whose pages add up to at least
``pages`` (the tiers are nested: the 100-page tier starts with the 10-page one).
``scan_images(count)`` returns ``count`` distinct single-page scans: A4 pages of the
variants rendered with pdfium and degraded like ``benchmarks.corpus`` does (clean 300 dpi PNG,
degraded 300 dpi JPEG, degraded 200 dpi JPEG in turn).

Everything is deterministic and cached under ``benchmarks/.cache/throughput/`` (a variant is
rebuilt when its spec, its text or ``benchmarks/corpus.py`` changes; ~0.3 s a document).

    python -m benchmarks.throughput_corpus [--pages 1000] [--scans 50]
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks import corpus
from benchmarks.corpus import LAYOUT_SPECS, SOURCES, CaseSpec, Degradation, Truth

log = logging.getLogger(__name__)

DEFAULT_DIR = corpus.PROJECT_ROOT / "benchmarks" / ".cache" / "throughput"

SOURCE_REGION: dict[str, str] = {"kaiping": "开平", "xinhui": "新会", "jiangmen": "江门"}
"""The place name each source report is about (its title, congress line, 全市 phrases)."""

REGION_NAMES: tuple[str, ...] = (
    "顺德", "南海", "禅城", "三水", "高明", "番禺", "花都", "增城", "从化", "宝安",
    "龙岗", "福田", "罗湖", "盐田", "坪山", "惠城", "惠阳", "博罗", "惠东", "龙门",
    "清城", "清新", "英德", "连州", "佛冈", "阳山", "端州", "鼎湖", "高要", "四会",
    "广宁", "怀集", "封开", "德庆", "云城", "云安", "罗定", "郁南", "阳东", "阳西",
    "阳春", "茂南", "电白", "高州", "化州", "信宜", "霞山", "坡头", "麻章", "遂溪",
    "徐闻", "廉江", "雷州", "吴川", "浈江", "武江", "曲江", "乐昌", "南雄", "仁化",
    "始兴", "翁源", "新丰", "乳源", "大埔", "丰顺", "五华", "平远", "蕉岭", "兴宁",
    "源城", "东源", "龙川", "紫金", "连平", "海丰", "陆河", "陆丰", "湘桥", "潮安",
    "饶平", "榕城", "揭东", "揭西", "惠来", "普宁", "金平", "龙湖", "濠江", "潮阳",
    "潮南", "澄海", "南澳", "金湾", "香洲", "连南", "连山", "清远", "韶关", "梅县",
)
"""Real county-level units of Guangdong outside Jiangmen (none occurs in the three source
texts, checked in ``_region_truth``). 100 names for ~330 documents: ~3 documents a region,
like a year's report, summary and digest."""

SCAN_VARIANTS: tuple[tuple[str, int, bool], ...] = (
    ("clean300", 300, False),
    ("degraded300", 300, True),
    ("degraded200", 200, True),
)


@dataclass(frozen=True, slots=True)
class TextDocument:
    path: Path
    pages: int
    template: str
    region: str


@dataclass(frozen=True, slots=True)
class ScanImage:
    path: Path
    dpi: int
    source: str
    """The text document and page (1-based) it was rendered from."""


def known_region_names() -> tuple[str, ...]:
    """Gazetteer short names that occur in none of the source texts."""
    from reportflow.facts.context import gazetteer

    texts = "".join(text for source in SOURCES for _, text in corpus.load_truth(source))
    return tuple(short for short, _, _ in gazetteer() if short not in texts)


def region_for(n: int, source: str) -> str:
    """The region name of variant n.

    The kaiping text names its place only as "开平全市" and in passing, which the fact
    extractor resolves through its gazetteer alone, so kaiping variants take gazetteer names
    (16 of them); the others name their place in the title or the congress line and take
    any of ``REGION_NAMES``.
    """
    names = known_region_names() if source == "kaiping" else REGION_NAMES
    return names[(n * 37) % len(names)]  # 37 is coprime to 16 and 100: every name comes round


def variant_spec(n: int) -> tuple[CaseSpec, str]:
    """The n-th variant: a template case with its own typography, and its region name."""
    template = LAYOUT_SPECS[n % len(LAYOUT_SPECS)]
    rng = random.Random(corpus._seed("throughput", n))
    producer = rng.choice(("reportlab", "fpdf2"))
    spec = dataclasses.replace(
        template,
        name=f"tp{n:04d}-{'rl' if producer == 'reportlab' else 'fp'}-{template.page.lower()}-{template.source}",
        producer=producer,
        body_size=rng.choice((9.5, 10.0, 10.5, 11.0)),
        leading=rng.choice((1.35, 1.45, 1.5, 1.6, 1.7)),
        furniture=rng.randrange(len(corpus.FURNITURE_SETS)),
        edition=rng.randrange(1, 17),
        page_numbers=rng.choice(("head", "foot")),
    )
    return spec, region_for(n, template.source)


def _region_truth(spec: CaseSpec, region: str) -> Truth:
    """The template's truth with its own place name replaced by ``region``."""
    own = SOURCE_REGION[spec.source]
    truth = corpus.load_truth(spec.source)[spec.first : spec.last]
    joined = "".join(text for _, text in truth)
    if region in joined:
        raise ValueError(f"{region} already occurs in {spec.source}: pick another name")
    return [(kind, text.replace(own, region)) for kind, text in truth]


def build_text_document(n: int, out_dir: Path = DEFAULT_DIR) -> TextDocument:
    spec, region = variant_spec(n)
    case = corpus.build_case(spec, out_dir / "text", _region_truth(spec, region))
    return TextDocument(case.pdf, case.pages, LAYOUT_SPECS[n % len(LAYOUT_SPECS)].name, region)


def text_documents(pages: int, out_dir: Path = DEFAULT_DIR) -> list[TextDocument]:
    """The first variants whose page counts add up to at least ``pages``."""
    docs: list[TextDocument] = []
    total, n = 0, 0
    while total < pages:
        doc = build_text_document(n, out_dir)
        docs.append(doc)
        total += doc.pages
        n += 1
    return docs


def first_documents(count: int, out_dir: Path = DEFAULT_DIR) -> list[TextDocument]:
    """The first ``count`` variants (the same documents the page tiers start with)."""
    return [build_text_document(n, out_dir) for n in range(count)]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def scan_images(count: int, out_dir: Path = DEFAULT_DIR) -> list[ScanImage]:
    """``count`` distinct single-page scans rendered from A4 pages of the text variants."""
    scan_dir = out_dir / "scans"
    scan_dir.mkdir(parents=True, exist_ok=True)
    images: list[ScanImage] = []
    n = 0
    while len(images) < count:
        spec, _ = variant_spec(n)
        if spec.page != "A4":  # an A3 page at 300 dpi costs twice the OCR of an A4 one
            n += 1
            continue
        doc = build_text_document(n, out_dir)
        for page in range(doc.pages):
            if len(images) == count:
                break
            label, dpi, degraded = SCAN_VARIANTS[len(images) % len(SCAN_VARIANTS)]
            images.append(_scan(doc, page, label, dpi, degraded, scan_dir))
        n += 1
    return images


def _scan(doc: TextDocument, page: int, label: str, dpi: int, degraded: bool, scan_dir: Path) -> ScanImage:
    name = f"{doc.path.stem}-p{page + 1}-{label}"
    rng = random.Random(corpus._seed(name, "scan"))
    degradation = corpus.scan_degradation(rng, dpi) if degraded else Degradation()
    path = scan_dir / f"{name}.{'jpg' if degraded else 'png'}"
    manifest = scan_dir / f"{name}.json"
    fingerprint = hashlib.sha256(
        json.dumps([corpus.BUILDER_VERSION, _sha256(doc.path), page, dpi, dataclasses.asdict(degradation)]).encode()
    ).hexdigest()
    if path.exists() and manifest.exists():
        data = json.loads(manifest.read_text(encoding="utf-8"))
        if data.get("fingerprint") == fingerprint and data.get("sha256") == _sha256(path):
            return ScanImage(path, dpi, f"{doc.path.name} p{page + 1}")
    log.info("rendering scan %s", name)
    (image,) = corpus.render_pages(doc.path, dpi, [page])
    corpus.save_scan(corpus.degrade(image, degradation, corpus._seed(name, 0)), path, dpi, degradation.jpeg_quality)
    manifest.write_text(
        json.dumps({"fingerprint": fingerprint, "sha256": _sha256(path), "source": doc.path.name, "page": page + 1}),
        encoding="utf-8",
    )
    return ScanImage(path, dpi, f"{doc.path.name} p{page + 1}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--scans", type=int, default=50)
    parser.add_argument("--out", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    docs = text_documents(args.pages, args.out)
    scans = scan_images(args.scans, args.out)
    sizes = sum(d.path.stat().st_size for d in docs)
    log.info(
        "%d text documents, %d pages, %.1f MB; %d scans, %.1f MB",
        len(docs),
        sum(d.pages for d in docs),
        sizes / 1e6,
        len(scans),
        sum(s.path.stat().st_size for s in scans) / 1e6,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
