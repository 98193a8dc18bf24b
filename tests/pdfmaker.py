"""Render issue text files as e-paper PDFs, and make broken PDFs, for the PDF reader's tests.

`render_issue` lays an issue (one of corpus/*.txt) out the way the paper prints it: the issue
header at the top of page 1, two columns (or more) of body text at 9.5 pt with indented
paragraphs wrapped to the column, headlines in a large font, a grey box where the text file
has a picture gap, a running head on every page and the page number at the bottom. Chinese
renders with reportlab's built-in CID font STSong-Light, so no font file is needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from rag.text import normalize

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

BODY = 9.5
SIZES = {0: BODY, 1: 18.0, 2: 13.0, 3: 10.5}  # by markdown heading level
LEADING = 1.35  # line height as a multiple of the font size
MARGIN = 40.0
GUTTER = 18.0
TOP = A4[1] - 52  # below the running head
BOTTOM = 48.0  # above the page number
PICTURE_LINES = 5  # a picture gap in the text file becomes a box this many lines high

# Lines printed in the masthead of page 1 (the text files keep them at the top).
_HEADER = re.compile(r"^(\d{4}年\d{1,2}月\d{1,2}日|第\s*\d+\s*期|国内统一|CN\s*\d|邮发代号"
                     r"|公安周刊$|对党忠诚)")
_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")


@dataclass
class Block:
    """Lines of the text file with no blank line between them."""

    gap: int  # blank lines before it
    level: int  # heading level (0: body)
    lines: list[str] = field(default_factory=list)


def read_blocks(text: str, headlines: dict[str, int] | None = None) -> list[Block]:
    """Blocks of an issue file; `headlines` maps a normalised block text to its heading level
    for files without markdown markers (a large font is all a PDF has to show a headline)."""
    headlines = headlines or {}
    blocks: list[Block] = []
    blank = 0
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            blank += 1
            continue
        level = 0
        if m := re.match(r"^(#{1,6})\s+", line):
            level, line = len(m.group(1)), line[m.end():]
        line = re.sub(r"(?<=\S)\*\*(?=\S)", " ", line).replace("**", "").strip()
        if blank == 0 and blocks:
            blocks[-1].lines.append(line)
        else:
            blocks.append(Block(blank, level, [line]))
        blank = 0
    for block in blocks:
        if not block.level:
            whole = normalize("".join(block.lines))
            block.level = headlines.get(whole, headlines.get(normalize(block.lines[0]), 0)
                                        if len(block.lines) == 1 else 0)
    return blocks


def _wrap(text: str, size: float, width: float, indent: float = 0.0) -> list[str]:
    """Break a paragraph into lines that fit `width` (the first after `indent`), anywhere
    between characters."""
    lines, current, used = [], "", indent
    for ch in text:
        w = pdfmetrics.stringWidth(ch, FONT, size)
        if current and used + w > width and ch != " ":
            lines.append(current)
            current, used = "", 0.0
            if ch == " ":
                continue
        current += ch
        used += w
    if current:
        lines.append(current)
    return lines


class _Layout:
    """Flows lines down the columns, page after page.

    With `balance`, lines wait until a headline set across the page (or the end) and are then
    shared out evenly over the columns above it, as a newspaper sets an article.
    """

    def __init__(self, path: Path, columns: int, running_head: str, balance: bool = False,
                 fake_bold: bool = False, **canvas_args) -> None:
        self.c = canvas.Canvas(str(path), pagesize=A4, **canvas_args)
        self.columns = columns
        self.width = (A4[0] - 2 * MARGIN - (columns - 1) * GUTTER) / columns
        self.running_head = running_head
        self.balance = balance
        self.fake_bold = fake_bold
        self.pending: list[tuple] = []
        self.page = 0
        self.new_page()

    def new_page(self) -> None:
        if self.page:
            self.c.showPage()
        self.page += 1
        self.c.setFont(FONT, 8)
        head = f"{self.running_head} 第{self.page}版"
        if self.page % 2:  # on the outer edge: left on odd pages, right on even ones
            self.c.drawString(MARGIN, A4[1] - 32, head)
        else:
            self.c.drawRightString(A4[0] - MARGIN, A4[1] - 32, head)
        self.c.line(MARGIN, A4[1] - 38, A4[0] - MARGIN, A4[1] - 38)
        self.c.drawCentredString(A4[0] / 2, 24, str(self.page))
        self.col = 0
        self.top = self.y = TOP

    def next_column(self) -> None:
        if self.col + 1 < self.columns:
            self.col += 1
            self.y = self.top
        else:
            self.new_page()

    @property
    def x(self) -> float:
        return MARGIN + self.col * (self.width + GUTTER)

    def masthead(self, lines: list[str], size: float) -> None:
        """Masthead lines centred across the page, above the columns (page 1 only)."""
        width = max(pdfmetrics.stringWidth(text, FONT, size) for text in lines)
        for text in lines:
            self.y -= size * LEADING
            self.c.setFont(FONT, size)
            self.c.drawString((A4[0] - width) / 2, self.y, text)
        self.y -= 12
        self.top = self.y

    def line(self, text: str, size: float, indent: float = 0.0) -> None:
        self._add(("line", size * LEADING, text, size, indent))

    def space(self, points: float) -> None:
        self._add(("space", points))

    def picture(self) -> None:
        self._add(("picture", PICTURE_LINES * BODY * LEADING))

    def headline(self, lines: list[str], size: float, columns: int | None = None) -> None:
        """A headline set across all columns, below the text before it; the text after it
        goes on `columns` columns (a new grid) when given."""
        self.flush()
        if columns:
            self.columns = columns
            self.width = (A4[0] - 2 * MARGIN - (columns - 1) * GUTTER) / columns
        if self.y < TOP:
            self.y -= size * 0.5
        self.c.setFont(FONT, size)
        for text in lines:
            for piece in _wrap(text, size, A4[0] - 2 * MARGIN):
                if self.y - size * LEADING < BOTTOM:
                    self.new_page()
                    self.c.setFont(FONT, size)
                self.y -= size * LEADING
                self.c.drawString(MARGIN, self.y, piece)
                if self.fake_bold:  # drawn again a little to the right, as e-papers embolden
                    self.c.drawString(MARGIN + 0.4, self.y, piece)
        self.y -= size * 0.4
        self.top = self.y

    def _add(self, entry: tuple) -> None:
        if self.balance:
            self.pending.append(entry)
            return
        if entry[0] != "space" and self.y - entry[1] < BOTTOM:
            self.next_column()
        self._draw(entry)

    def _draw(self, entry: tuple) -> None:
        kind, height = entry[:2]
        if kind == "space":
            if self.y != self.top:
                self.y -= height
            return
        self.y -= height
        if kind == "line":
            text, size, indent = entry[2:]
            self.c.setFont(FONT, size)
            self.c.drawString(self.x + indent, self.y, text)
        else:
            self.c.setFillGray(0.8)
            self.c.rect(self.x, self.y, self.width, height - 4, stroke=0, fill=1)
            self.c.setFillGray(0)

    def flush(self) -> None:
        """Share the waiting lines out over the columns, evenly, from `self.top` down."""
        entries, self.pending = self.pending, []
        while entries:
            total = sum(e[1] for e in entries)
            share = total / self.columns + BODY * LEADING
            lowest = self.top
            for col in range(self.columns):
                self.col, self.y = col, self.top
                floor = BOTTOM if col == self.columns - 1 else max(BOTTOM, self.top - share)
                while entries and (self.y - entries[0][1] >= floor or (
                        self.y == self.top and self.y - entries[0][1] >= BOTTOM)):
                    self._draw(entries.pop(0))
                lowest = min(lowest, self.y)
            if entries:
                self.new_page()
            else:
                self.col, self.y = 0, lowest
                self.top = lowest

    def save(self) -> None:
        self.flush()
        self.c.showPage()
        self.c.save()


def render_issue(src: Path, dst: Path, headlines: dict[str, int] | None = None,
                 columns: int = 2, span: bool = False, indent: bool = True,
                 fake_bold: bool = False, grids: tuple[int, ...] = (),
                 encrypt: object = None) -> Path:
    """Render issue text file `src` as a newspaper PDF at `dst`.

    `headlines` gives heading levels to lines of files without markdown markers (normalised
    text → level, e.g. the titles the text parser finds → 1, their kickers and subtitles → 2).
    With `span`, headlines and their kickers and subtitles run across all columns, and the
    text between them is balanced over the columns; without, everything flows in columns.
    Without `indent`, paragraphs start flush left with half a line of space above instead.
    With `fake_bold`, headlines across columns are drawn twice, 0.4 pt apart. With `grids`
    (and `span`), each article in turn is set on the next number of columns in `grids`.
    `encrypt` is reportlab's: a user password, or a `StandardEncryption`.
    """
    blocks = read_blocks(src.read_text(encoding="utf-8"), headlines)
    header: list[Block] = []
    while blocks and all(_HEADER.match(line) for line in blocks[0].lines):
        header.append(blocks.pop(0))
    date = next((m.group(0) for b in header for line in b.lines
                 if (m := _DATE.search(line))), "")
    layout = _Layout(dst, columns, f"公安周刊 {date}".strip(), balance=span, fake_bold=fake_bold,
                     encrypt=encrypt)
    for block in header:
        # Masthead items stand apart; a motto printed over two lines stays one block.
        size = 28.0 if block.lines == ["公安周刊"] else 12.0 if re.match(
            r"\d{4}年|第\s*\d+\s*期", block.lines[0]) else BODY  # date and number stand out
        layout.masthead(block.lines, size)
    articles = 0
    for block in blocks:
        if block.gap >= 3:
            layout.picture()
        size = SIZES.get(block.level, BODY)
        if span and block.level in (1, 2):
            grid = grids[articles % len(grids)] if grids and block.level == 1 else None
            articles += block.level == 1
            layout.headline(block.lines, size, grid)
            continue
        if block.level:
            layout.space(size * 0.3)
        for i, text in enumerate(block.lines):
            # Paragraphs open with a two-character indent; further lines of a block do not.
            first = 2 * size if i == 0 and not block.level and indent else 0.0
            if i == 0 and not block.level and not indent:
                layout.space(BODY * 0.5)
            wrapped = _wrap(text, size, layout.width, first)
            for j, piece in enumerate(wrapped):
                layout.line(piece, size, first if j == 0 else 0.0)
        if block.level:
            layout.space(size * 0.3)
    layout.save()
    return dst


def render_scanned(dst: Path) -> Path:
    """A 'scanned' issue: pictures of text, with only the page number as text."""
    c = canvas.Canvas(str(dst), pagesize=A4)
    for page in range(2):
        for i in range(40):
            c.setFillGray(0.2 + (i % 5) * 0.15)
            c.rect(MARGIN + (i % 2) * 260, A4[1] - 60 - i * 18, 240 - page * 10, 12, fill=1)
        c.setFillGray(0)
        c.drawCentredString(A4[0] / 2, 24, str(page + 1))
        c.showPage()
    c.save()
    return dst


def render_encrypted(src: Path, dst: Path, password: str = "pw") -> Path:
    """An issue PDF that opens only with `password`."""
    layout = _Layout(dst, 2, "公安周刊", encrypt=password)
    for block in read_blocks(src.read_text(encoding="utf-8"))[:20]:
        for text in block.lines:
            for piece in _wrap(text, BODY, layout.width):
                layout.line(piece, BODY)
    layout.save()
    return dst


def truncate(src: Path, dst: Path, keep: float = 0.4) -> Path:
    """The first `keep` of a PDF's bytes, as a broken download leaves it."""
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * keep)])
    return dst
