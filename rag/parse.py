"""Read issue files of 公安周刊 and turn them into `Issue`s with clean `Article`s.

The files are text extracted from the printed PDF: with or without markdown headings, with
mastheads, footers, captions and page breaks in the middle of words. This module reads and
decodes the files, finds the issue header (or a manifest entry), and strips the noise; the
layout rules that find titles, bylines and article boundaries live in `rag.layout`.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import re
from pathlib import Path

from tqdm import tqdm

from rag.continuations import join_continuations
from rag.errors import CorpusError
from rag.layout import Line, assemble_articles
from rag.text import has_cjk, normalize
from rag.types import Issue

logger = logging.getLogger(__name__)

ISSUE_SUFFIXES = (".txt", ".md")
MANIFEST_NAME = "issues.csv"

_DATE_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ISSUE_RE = re.compile(r"第\s*(\d{1,5})\s*期")
_PAGES_RE = re.compile(r"本刊今日\s*(\d{1,2})\s*版")

# Masthead: the lines printed at the top of every issue (and of every page in some layouts).
_MASTHEAD = [
    re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日\s*(星期|周)[一二三四五六日天]"),
    re.compile(r"^第\s*\d+\s*期(\s*本刊今日\s*\d+\s*版)?$"),
    re.compile(r"^本刊今日\s*\d+\s*版$"),
    re.compile(r"^(国内统一连续出版物号|国内统一刊号|统一刊号)"),
    re.compile(r"^CN\s*\d{2}\s*-\s*\d{4}"),
    re.compile(r"^邮发代号"),
    re.compile(r"^(公安周刊|河北法治报|河北法制报)(\s*第\s*\d+\s*版)?$"),
    re.compile(r"^(公安周刊|河北法治报|河北法制报)\s*[·•]\s*\S{1,8}$"),  # page label 公安周刊·要闻
    re.compile(r"^总第\s*\d+\s*期"),
    re.compile(r"^(主管|主办|出版|社址|社长|总编辑|零售价|定价|广告许可证|印刷)\s*[:：]"),
    # The police motto printed under the paper's name.
    re.compile(r"^对党忠诚\s*服务人民\s*执法公正\s*纪律严明$"),
]
# Editors' footer: staff, addresses, e-mail and phone numbers.
_FOOTER_KEY = re.compile(
    r"^(责编|责任编辑|本版编辑|编辑|美编|版式|校对|省厅编审|副编审|编审|编辑部主任|副主任|主任"
    r"|编辑部地址|地址|邮箱|电子邮箱|e-?mail|电话|传真|投稿邮箱)\s*[:：]",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_PHONE_LINE = re.compile(r"^[\u4e00-\u9fff·]{2,4}\s*(\d{3,4}-\d{7,8}|1\d{10})$")
_ADDRESS_LINE = re.compile(r"^[\u4e00-\u9fff\d]{2,12}(路|街|大街|道)\d+号[\u4e00-\u9fff]{2,12}$")
_BARE_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")


def read_text(path: Path) -> str:
    """Read an issue file as text: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK.

    Raises:
        ValueError: the file is empty, binary, or in no encoding we can read.
    """
    raw = path.read_bytes()
    if not raw.strip():
        raise ValueError("empty file")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = raw.decode("utf-16")
    elif b"\x00" in raw[:4096]:
        raise ValueError("binary file (NUL bytes)")
    else:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValueError("not UTF-8 nor GB18030 text")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > max(8, len(text) // 100):
        raise ValueError("binary file (control characters)")
    if not has_cjk(text):
        raise ValueError("no Chinese text")
    return text


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_manifest(corpus_dir: Path) -> dict[str, dict]:
    """Issue numbers and dates for files whose header was lost, from `issues.csv`.

    Format: a header line `file,issue,date,pages`, then one row per file, e.g.
    `002_59ee2e44099c27a5.txt,860,2025-10-21,4`. Empty cells stay unknown.
    """
    path = corpus_dir / MANIFEST_NAME
    if not path.is_file():
        return {}
    entries: dict[str, dict] = {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            name = (row.get("file") or "").strip()
            if not name:
                continue
            issue = (row.get("issue") or "").strip()
            date = (row.get("date") or "").strip()
            pages = (row.get("pages") or "").strip()
            if date and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
                logger.warning("%s: date %r for %s is not YYYY-MM-DD; ignored", path, date, name)
                date = ""
            entries[name] = {
                "number": int(issue) if issue.isdigit() else None,
                "date": date or None,
                "pages": int(pages) if pages.isdigit() else None,
            }
    return entries


def _is_masthead(text: str) -> bool:
    return any(p.search(text) for p in _MASTHEAD)


def _is_footer(text: str) -> bool:
    return bool(
        _FOOTER_KEY.search(text)
        or (_EMAIL.search(text) and len(text) < 60)
        or _PHONE_LINE.match(text)
        or _ADDRESS_LINE.match(text)
    )


def read_header(lines: list[str]) -> tuple[int | None, str | None, int | None]:
    """Issue number, ISO date and page count printed at the top of the file, if any."""
    number = date = pages = None
    for text in lines[:12]:
        if date is None and (m := _DATE_RE.search(text)) and _is_masthead(text):
            y, mo, d = (int(g) for g in m.groups())
            date = f"{y:04d}-{mo:02d}-{d:02d}"
        if number is None and (m := _ISSUE_RE.search(text)) and _is_masthead(text):
            number = int(m.group(1))
        if pages is None and (m := _PAGES_RE.search(text)):
            pages = int(m.group(1))
    return number, date, pages


def to_lines(text: str) -> list[Line]:
    """Split raw text into clean lines, dropping masthead and footer noise.

    Each `Line` remembers its markdown heading level, how many blank lines preceded it (a
    large gap marks a picture or a column jump), and whether it continues the previous line
    within one block (a headline broken over two lines).
    """
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # Join blocks first so that masthead lines printed over two lines are seen whole.
    blocks: list[tuple[int, list[str]]] = []
    blank = 0
    for raw in raw_lines:
        if not raw.strip():
            blank += 1
            continue
        if blank == 0 and blocks:
            blocks[-1][1].append(raw)
        else:
            blocks.append((blank, [raw]))
        blank = 0

    lines: list[Line] = []
    for gap, block in blocks:
        cleaned = [_clean(raw) for raw in block]
        if _is_masthead(" ".join(c[0] for c in cleaned if c[0])):
            continue
        after_empty_key = False
        first = True
        for content, level, bold in cleaned:
            if not content:
                continue
            if _is_masthead(content) or _is_footer(content):
                # "责编:" with the name on the next line: the name is footer too.
                after_empty_key = bool(re.search(r"[:：]$", content))
                continue
            if after_empty_key and _BARE_NAME.match(content):
                after_empty_key = False
                continue
            after_empty_key = False
            lines.append(Line(content, level, bold, gap if first else 0, not first))
            first = False
    return lines


def _clean(raw: str) -> tuple[str, int, bool]:
    """Strip markdown heading and bold markers; return (text, heading level, all bold)."""
    text = raw.strip()
    level = 0
    if m := re.match(r"^(#{1,6})\s+", text):
        level = len(m.group(1))
        text = text[m.end():]
    bold = text.startswith("**") and text.endswith("**") and len(text) > 4
    # A bold run inside a headline marks its main part: keep a space where the marker was.
    text = re.sub(r"(?<=\S)\*\*(?=\S)", " ", text).replace("**", "")
    return normalize(text), level, bold


def parse_file(path: Path, manifest: dict[str, dict] | None = None, source: str = "") -> Issue:
    """Parse one issue file. Raises ValueError when the file cannot be read as text."""
    text = read_text(path)
    source = source or path.name
    lines = to_lines(text)
    number, date, pages = read_header([normalize(x) for x in text.splitlines() if x.strip()])
    issue = Issue(source=source, number=number, date=date, pages=pages)
    entry = (manifest or {}).get(source)
    if entry:
        for key in ("number", "date", "pages"):
            printed, listed = getattr(issue, key), entry.get(key)
            if printed is None:
                setattr(issue, key, listed)
            elif listed is not None and listed != printed:
                issue.warnings.append(f"{key} {listed} in {MANIFEST_NAME} differs from "
                                      f"{printed} printed in the file; using the printed one")
    issue.articles = assemble_articles(lines, issue)
    if not issue.articles:
        issue.warnings.append("no article found")
    if issue.number is None:
        issue.warnings.append(f"no issue number printed and none in {MANIFEST_NAME}")
    return issue


def corpus_files(corpus_dir: Path) -> list[Path]:
    return sorted(p for p in corpus_dir.iterdir() if p.is_file() and p.suffix in ISSUE_SUFFIXES)


def parse_corpus(
    corpus_dir: str | Path, show_progress: bool = False
) -> tuple[list[Issue], list[str]]:
    """Parse every issue file of a folder.

    Returns the issues (unreadable files skipped) and warnings naming each skipped file.
    Continuations (下转/上接) found across the corpus are joined to the article they continue.

    Raises:
        CorpusError: the folder does not exist or holds no readable issue file.
    """
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder {corpus_dir} does not exist: "
                          "put issue files (.txt or .md) there or pass --corpus DIR")
    manifest = load_manifest(corpus_dir)
    issues, warnings = parse_paths(corpus_files(corpus_dir), manifest, show_progress)
    if not issues:
        raise CorpusError(f"no readable issue file (.txt or .md) in {corpus_dir}")
    return issues, warnings


def duplicate_numbers(issues: list[Issue], only: set[str] | None = None) -> list[str]:
    """Warn about files claiming an issue number another file claims (both are kept).

    With `only`, report just the files named there (the ones being added).
    """
    warnings = []
    seen: dict[int, str] = {}
    for issue in issues:
        if issue.number is None:
            continue
        if issue.number in seen and (only is None or issue.source in only):
            message = (f"{issue.source}: issue {issue.number} also claimed by "
                       f"{seen[issue.number]}; both kept, told apart by file")
            logger.warning(message)
            warnings.append(message)
        seen.setdefault(issue.number, issue.source)
    return warnings


def parse_paths(
    paths: list[Path], manifest: dict[str, dict] | None = None, show_progress: bool = False
) -> tuple[list[Issue], list[str]]:
    """Parse the given files; skip (and name) the ones that cannot be read."""
    issues: list[Issue] = []
    warnings: list[str] = []
    for path in tqdm(paths, desc="parse", unit="file", disable=not show_progress):
        try:
            issue = parse_file(path, manifest)
        except (OSError, ValueError) as err:
            message = f"{path.name}: skipped, {err}"
            logger.warning(message)
            warnings.append(message)
            continue
        for w in issue.warnings:
            # Recorded in the manifest (`python -m rag stats` lists them); a missing number is
            # common in these files, so it is not worth a warning on every build.
            logger.log(logging.INFO if "no issue number" in w else logging.WARNING,
                       "%s: %s", path.name, w)
            warnings.append(f"{path.name}: {w}")
        issues.append(issue)
    warnings += duplicate_numbers(issues)
    join_continuations(issues)
    return issues, warnings
