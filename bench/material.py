"""What the benchmark's generator learns from the sample issues: their articles (by kind and
topic), photo captions, section headings and names."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parent.parent / "corpus"
TERMINAL = ("。", "！", "？", "!", "?", "”", "\"", "…")
_FILE_RE = re.compile(r"^\d{4}_[0-9a-f]{16}\.txt$")

# --- recognising the parts of a sample file --------------------------------------------

_HEADER_RE = re.compile(
    r"^(\d{4}年\d{1,2}月\d{1,2}日|第\d+期|国内统一连续出版物号|邮发代号|公安周刊$|对党忠诚|执法公正)"
)
_FOOTER_RE = re.compile(r"^(责编|省厅编审)")
_LEAD_RE = re.compile(r"^(?:本报讯|河北法制报讯)\s*[（(]([^）)]*)[）)]\s*")
_BYLINE_RE = re.compile(r"^□\s*(.+)$")
_PHOTOGRAPHER_RE = re.compile(r"^([\u4e00-\u9fff]{2,3}(?:\s+[\u4e00-\u9fff]{2,3})*)\s+摄$")
_CONTINUATION_RE = re.compile(r"^[（(][上下]接第\d+版[）)]$|^[（(][上下]转第\d+版[）)]$")
_INLINE_CONT_RE = re.compile(r"[（(][上下][接转]第\d+版[）)]")

TOPICS = ("traffic", "crime", "service", "community")
_TOPIC_WORDS = {
    "traffic": ("交警", "交通", "车辆", "高速", "铁骑", "驾驶", "头盔", "路口"),
    "crime": ("案", "嫌疑人", "诈骗", "抓获", "破获", "黑恶", "刑警", "打击"),
    "service": ("政务", "窗口", "户籍", "办理", "服务", "营商", "便民", "通办"),
    "community": ("社区", "群众", "派出所", "走访", "纠纷", "巡逻", "老人", "平安"),
}

@dataclass
class SourceArticle:
    title: str = ""
    kicker: str = ""
    subtitle: str = ""
    kind: str = "feature"  # "news" (opens 本报讯) or "feature" (opens with a □ byline)
    paragraphs: list[str] = field(default_factory=list)

    @property
    def topic(self) -> str:
        text = self.title + "".join(self.paragraphs)
        scores = {t: sum(text.count(w) for w in words) for t, words in _TOPIC_WORDS.items()}
        return max(TOPICS, key=lambda t: scores[t])


@dataclass
class Material:
    articles: list[SourceArticle]
    captions: list[str]
    subheads: list[str]
    names: list[str]

    def of_kind(self, kind: str, topic: str) -> list[SourceArticle]:
        same = [a for a in self.articles if a.kind == kind and a.topic == topic]
        return same or [a for a in self.articles if a.kind == kind] or self.articles


def _clean(line: str) -> tuple[str, bool]:
    """The line without Markdown marks, and whether it was marked as a heading."""
    line = line.strip().replace("**", "")
    marked = line.startswith(("#", "●"))
    return re.sub(r"^#+\s*", "", line).strip(), marked


def _is_fragment(unit: str) -> bool:
    """A paragraph the PDF extraction cut mid-sentence: long or comma-bearing, no full stop."""
    unit = _INLINE_CONT_RE.sub("", unit).strip()
    if unit.endswith(TERMINAL) or unit.endswith("——") or _starts_unit(unit):
        return False
    return len(unit) >= 45 or ("，" in unit or "," in unit) and len(unit) >= 12


def _units(text: str) -> list[str]:
    """Non-empty lines of the article part of a file, with PDF-broken paragraphs rejoined."""
    lines: list[tuple[str, bool]] = []
    for raw in text.splitlines():
        line, marked = _clean(raw)
        if not line:
            continue
        if _FOOTER_RE.match(line):
            break
        if not _HEADER_RE.match(line):
            lines.append((line, marked))
    units: list[str] = []
    glue = False  # may the next line continue the last unit?
    for i, (line, marked) in enumerate(lines):
        # A caption sits right above its photographer line: never glue it to the text before.
        before_photo = i + 1 < len(lines) and bool(_PHOTOGRAPHER_RE.match(lines[i + 1][0]))
        # Nor glue a page-cut sentence onto the next article's headline.
        headline = _is_heading(line) and any(_starts_unit(n) for n, _ in lines[i + 1:i + 4])
        if glue and not marked and not before_photo and not headline and not _starts_unit(line):
            units[-1] += line
        elif _LEAD_RE.match(line) and not _LEAD_RE.sub("", line):
            units.append(line)  # "本报讯 (张哲 哈新茂)" alone on its line: the text follows
            glue = True
            continue
        else:
            units.append(line)
        glue = not marked and _is_fragment(units[-1])
    return units


def _starts_unit(line: str) -> bool:
    return bool(_BYLINE_RE.match(line) or _LEAD_RE.match(line) or _PHOTOGRAPHER_RE.match(line)
                or line.startswith(("●", "——")))


def _is_heading(unit: str) -> bool:
    """Short and no sentence in it; a closing quote may end a title (小小公众号 群众说事“好地方”)."""
    return (len(unit) <= 45 and not unit.endswith(TERMINAL[:5] + ("…",)) and "。" not in unit
            and not _starts_unit(unit))


def _extract(text: str, material: Material) -> None:
    units = _units(text)
    current: SourceArticle | None = None
    opening = False  # headings seen, no byline/lead/body yet

    def close() -> None:
        nonlocal current
        if current and len("".join(current.paragraphs)) >= 80:
            material.articles.append(current)
        current = None

    def open_article() -> SourceArticle:
        nonlocal current, opening
        if not opening:
            close()
            current = SourceArticle()
        opening = True
        return current

    for i, unit in enumerate(units):
        ahead = units[i + 1:i + 4]
        if _CONTINUATION_RE.match(unit) or unit.startswith("图为") and len(unit) < 60:
            continue
        if m := _PHOTOGRAPHER_RE.match(unit):
            if current and current.paragraphs:
                material.captions.append(current.paragraphs.pop())
            material.names.extend(m.group(1).split())
            close()
            opening = False
            continue
        if m := _BYLINE_RE.match(unit):
            open_article().kind = "feature"
            material.names.extend(m.group(1).split())
            opening = False
            continue
        if m := _LEAD_RE.match(unit):
            article = open_article()
            article.kind = "news"
            material.names.extend(re.split(r"\s+", m.group(1).strip()))
            article.paragraphs.append(_LEAD_RE.sub("", unit))
            opening = False
            continue
        if unit.startswith("——") and len(unit) <= 60 and opening:
            current.subtitle = unit
            continue
        if unit.endswith("——") or _is_heading(unit) and any(
            _starts_unit(a) or a.endswith("——") for a in ahead
        ):
            article = open_article()
            if unit.endswith("——"):
                article.kicker = unit
            elif not article.title:
                article.title = unit
            else:
                article.subtitle = unit
            continue
        if unit.startswith("●") or _is_heading(unit):
            material.subheads.append(unit.lstrip("●").strip())
            continue
        if current is None:
            current = SourceArticle()
        opening = False
        if len(unit) >= 15:  # shorter: stray photo labels and page-cut tails
            current.paragraphs.append(_INLINE_CONT_RE.sub("", unit).strip())
    close()


@lru_cache(maxsize=4)
def load_material(corpus_dir: Path = CORPUS_DIR) -> Material:
    """Articles, photo captions, section heads and people's names found in the samples."""
    material = Material(articles=[], captions=[], subheads=[], names=[])
    for path in sorted(Path(corpus_dir).glob("*.txt")):
        _extract(path.read_text(encoding="utf-8"), material)
    if not material.articles:
        raise ValueError(f"no articles found in {corpus_dir}")
    material.names = sorted(set(n for n in material.names if 2 <= len(n) <= 3))
    material.subheads = [s for s in dict.fromkeys(material.subheads) if 4 <= len(s) <= 20]
    return material


# --- generating one issue --------------------------------------------------------------
