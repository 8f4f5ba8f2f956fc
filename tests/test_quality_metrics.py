"""Reading metrics: exact paragraph integrity against integrity with character errors forgiven."""

from __future__ import annotations

from reportflow.quality import near_intact_share, score_reading

PARAGRAPH = (
    "全力支持江门双碳实验室创建全国重点实验室和省实验室，争取成为粤港澳大湾区国家技术创新中心"
    "“1+9+N”体系中9个分中心之一，力争年内挂牌运作，引进高层次人才团队不少于10个。"
)
OTHER = "至少引进1家全省知名的人力资源服务机构，建成人才驿站2个。"


def _misread(text: str, every: int) -> str:
    """Every ``every``-th Chinese character replaced (a recogniser's substitutions)."""
    return "".join(
        "口" if k % every == every - 1 and "\u4e00" <= ch <= "\u9fff" else ch for k, ch in enumerate(text)
    )


def test_one_wrong_character_fails_integrity_but_not_near_integrity() -> None:
    lines = [_misread(PARAGRAPH, 60), OTHER]  # one character of 87 wrong
    assert score_reading(lines, [PARAGRAPH, OTHER]).paragraph_integrity == 0.5
    assert near_intact_share(lines, [PARAGRAPH, OTHER]) == 1.0


def test_a_split_paragraph_fails_both() -> None:
    half = len(PARAGRAPH) // 2
    lines = [PARAGRAPH[:half], PARAGRAPH[half:], OTHER]
    assert score_reading(lines, [PARAGRAPH, OTHER]).paragraph_integrity == 0.5
    assert near_intact_share(lines, [PARAGRAPH, OTHER]) == 0.5
    # a few characters lost at a line break are forgiven, a line is not
    assert near_intact_share([PARAGRAPH[:-2], OTHER], [PARAGRAPH, OTHER]) == 1.0


def test_errors_beyond_the_tolerance_fail() -> None:
    lines = [_misread(PARAGRAPH, 8), OTHER]  # ~10 % of the characters wrong
    assert near_intact_share(lines, [PARAGRAPH, OTHER], tolerance=0.03) == 0.5
    assert near_intact_share(lines, [PARAGRAPH, OTHER], tolerance=0.25) == 1.0


def test_a_paragraph_glued_to_another_counts_as_in_integrity() -> None:
    lines = [PARAGRAPH + OTHER]
    assert score_reading(lines, [PARAGRAPH, OTHER]).paragraph_integrity == 1.0
    assert near_intact_share(lines, [PARAGRAPH, OTHER]) == 1.0
    assert near_intact_share([], [PARAGRAPH]) == 0.0 and near_intact_share(["x"], ["短"]) == 1.0
