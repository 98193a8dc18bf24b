"""Read an e-paper PDF of an issue as the text the issue parser reads.

`pdf_to_text` returns the issue in the shape of the text files: the masthead lines (date, issue
number) as plain lines at the top, each headline as a markdown heading (`#` for the largest
type, `##` for kickers and subtitles, `###` for section heads), each paragraph as one line, a
blank line between blocks and three blank lines where the page has a picture.

How the page becomes text:
- characters come from pdfminer (through pdfplumber) with their box, font size and font name;
  text drawn twice over itself (fake bold) counts once;
- lines, columns and reading order come from `rag.ingest.pdf_layout`: columns are the x
  ranges body-size lines cover (however many there are), read left to right; a line across a
  gutter (a masthead, a headline over several columns, also a short one with nothing beside
  it) cuts the columns it crosses;
- the body size is the most common size on the page; a line 1.5x that size is a headline,
  1.25x a kicker or subtitle, slightly larger or bold a section head; the issue's date and
  number stay plain lines whatever their size, where the parser reads them;
- text repeated at the same place on half the pages or more (the running head, digits
  ignored, also mirrored on odd and even pages) and lone page numbers are dropped;
- a line ending within three characters of its column's right edge continues on the next
  (Chinese joins with no space) unless the next is indented or set apart by more than the
  usual line gap; a headline's lines make one heading; a short line followed by an
  unindented one keeps the block (a motto printed over two lines); a gap of three lines or
  more (a picture) becomes three blank lines, as in the text files.

Library: pdfplumber, chosen by measurement on the five sample issues rendered as two-column
PDFs (tests/pdfmaker.py, 3 pages each), parsed and compared with their text version, the
same pipeline with only the character source changed (best of 3 runs, loaded 2-core machine):

    issue   pypdfium2: ms  paragraphs equal   pdfplumber: ms  paragraphs equal
    000          110           26/29               430             29/29
    001          204           45/47               477             47/47
    002          314           38/38               565             38/38
    003          346           46/46               717             45/46
    004          274           26/27               536             27/27

Titles matched 28/28 with both. pypdfium2 is about 2x faster but loses characters whose
glyph it cannot load (a lone "。" wrapped onto its own line, in a CJK font the PDF does not
embed, as e-papers set in standard Adobe CJK fonts often do), so the paragraph looks cut
and the parser runs it into the next one;
pdfminer reads the text from the content stream whatever the fonts. Its one miss is a middle
dot (·) in STSong-Light that it maps to nothing. pdfplumber's per-character dicts cost half
its time, so the characters are read from pdfminer's layout objects (`page.layout`).
"""

from __future__ import annotations

import ctypes
import logging
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.layout import LTChar, LTContainer, LTCurve, LTImage, LTRect
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdftypes import PDFException
from pdfminer.psparser import PSException
from pdfplumber.utils.exceptions import PdfminerException

from rag.ingest.pdf_layout import (
    Box,
    Char,
    Line,
    body_size,
    drop_running,
    lines,
    reading_order,
)
from rag.text import has_cjk

logger = logging.getLogger(__name__)

_BOLD_NAME = re.compile(r"bold|black|heavy|demi|semibold|hei|黑", re.IGNORECASE)
_BOLD_FONTS: dict[str, bool] = {}  # font name -> bold, computed once per font
# The issue's date and number, printed in any size: the parser reads them from plain lines.
_ISSUE_HEADER = re.compile(r"(\d{4}年\d{1,2}月\d{1,2}日(星期|周)?[一二三四五六日天]?)?"
                           r"(总?第\d+期)?(本刊今日\d+版)?")
_UNMAPPED = re.compile(r"\(cid:\d+\)")  # pdfminer's text for a glyph with no Unicode value


class PdfError(ValueError):
    """A PDF that cannot be read as an issue; the message says what to do instead.

    A `ValueError`, so file-reading code that skips unreadable files skips these too.
    """


class ScannedPdfError(PdfError):
    def __init__(self) -> None:
        super().__init__("no text layer (a scanned PDF?): OCR is not supported; "
                         "export the issue as text or a text PDF")


class EncryptedPdfError(PdfError):
    def __init__(self) -> None:
        super().__init__("encrypted PDF (it needs a password): "
                         "export or print it again without a password and add that file")


class DamagedPdfError(PdfError):
    def __init__(self, detail: str) -> None:
        super().__init__(f"damaged or incomplete PDF ({detail}): "
                         "download or export the issue again")


def pdf_to_text(path: Path) -> str:
    """The issue in the PDF at `path` as issue-file text (see the module docstring).

    Raises:
        ScannedPdfError: no text layer (a scanned issue).
        EncryptedPdfError: the PDF needs a password.
        DamagedPdfError: the file is cut short, not a PDF, or unreadable.
    """
    pages = _read_chars(Path(path))
    ink = sum(1 for _, chars, _ in pages for c in chars if not c.text.isspace())
    # A page of text has thousands of characters; a scan may still carry a text page number.
    if ink < 50 * len(pages):
        raise ScannedPdfError()
    unmapped = sum(1 for _, chars, _ in pages for c in chars if _UNMAPPED.fullmatch(c.text))
    if unmapped > 0.05 * ink:
        # pdfminer misses the Unicode map of a standard CJK font it does not embed when the
        # PDF is encrypted with an owner password only (copying forbidden, opening free);
        # pdfium reads those from the encoding's name.
        pages = _read_chars_pdfium(Path(path), [boxes for _, _, boxes in pages])
        ink = sum(1 for _, chars, _ in pages for c in chars if not c.text.isspace())
        unmapped = sum(1 for _, chars, _ in pages for c in chars if _UNMAPPED.fullmatch(c.text))
    if unmapped > 0.05 * ink:
        raise PdfError(f"{unmapped} of {ink} characters have no Unicode value (fonts without a "
                       "Unicode map): export the issue as text or a text PDF")
    if unmapped:
        logger.warning("%s: %d characters without a Unicode value left out", path, unmapped)
        pages = [(h, [c for c in chars if not _UNMAPPED.fullmatch(c.text)], boxes)
                 for h, chars, boxes in pages]
    per_page = drop_running([lines(chars, i) for i, (_, chars, _) in enumerate(pages)],
                            [height for height, _, _ in pages])
    sizes = Counter(round(ln.size * 2) / 2 for page in per_page for ln in page
                    for _ in range(len(ln.text)))
    doc_body = sizes.most_common(1)[0][0] if sizes else 10.0
    order: list[Line] = []
    bodies: list[float] = []
    for page, (_, _, boxes) in zip(per_page, pages):
        body = body_size(page) or doc_body
        ordered = reading_order(page, body, boxes)
        order += ordered
        bodies += [body] * len(ordered)
    text = _assemble(order, bodies)
    if not has_cjk(text):
        raise PdfError("no Chinese text in the PDF's text layer (fonts without a Unicode map?): "
                       "export the issue as text or a text PDF")
    return text


def _read_chars(path: Path) -> list[tuple[float, list[Char], list[Box]]]:
    """(page height, characters in content-stream order, graphics) per page."""
    with path.open("rb") as f:
        head = f.read(1024)
        f.seek(max(0, path.stat().st_size - 2048))
        tail = f.read()
    if b"%PDF-" not in head:
        raise DamagedPdfError("no %PDF header: not a PDF")
    if b"%%EOF" not in tail:
        raise DamagedPdfError("no end-of-file marker: the file was cut short")
    pages = []
    try:
        with pdfplumber.open(path) as pdf:
            if not pdf.pages:
                raise DamagedPdfError("no pages")
            for page in pdf.pages:
                # pdfminer's own objects: pdfplumber's per-character dicts double the time.
                layout = page.layout
                chars, boxes = [], []
                for obj in _walk(layout):
                    if isinstance(obj, LTChar):
                        if obj.upright:
                            chars.append(_char(obj, layout.y1))
                    elif obj.width >= 20 and obj.height >= 20:  # not a rule or a frame line
                        boxes.append(Box(obj.x0, obj.x1, layout.y1 - obj.y1, layout.y1 - obj.y0))
                pages.append((float(layout.height), chars, boxes))
                page.close()  # frees the page's parsed objects as we go
    except PdfminerException as err:
        cause = err.args[0] if err.args else err
        if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
            raise EncryptedPdfError() from None
        raise DamagedPdfError(f"{type(cause).__name__}: {cause}".rstrip(": ")) from None
    except (PDFException, PSException) as err:
        raise DamagedPdfError(f"{type(err).__name__}: {err}".rstrip(": ")) from None
    except PdfError:
        raise
    except (KeyError, IndexError, TypeError, AttributeError, AssertionError, ValueError) as err:
        # pdfminer meets malformed objects with whatever error the code hit; to the file-reading
        # code they must all be one unreadable file, not a crash of the whole build.
        logger.debug("pdfminer failed on %s", path, exc_info=True)
        raise DamagedPdfError(f"{type(err).__name__} while parsing") from None
    return pages


def _read_chars_pdfium(path: Path, boxes: list[list[Box]]) -> list[tuple[float, list[Char],
                                                                        list[Box]]]:
    """The characters as pdfium reads them (pictures as pdfminer found them)."""
    doc = pdfium.PdfDocument(path)
    pages = []
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    try:
        for page, page_boxes in zip(doc, boxes):
            height, textpage, chars = page.get_height(), page.get_textpage(), []
            for i in range(textpage.count_chars()):
                code = pdfium_c.FPDFText_GetUnicode(textpage.raw, i)
                if pdfium_c.FPDFText_IsGenerated(textpage.raw, i) == 1 or code < 32:
                    continue  # line ends and spaces pdfium makes up
                left, bottom, right, top = textpage.get_charbox(i, loose=True)
                pdfium_c.FPDFText_GetFontInfo(textpage.raw, i, name, len(name),
                                              ctypes.byref(flags))
                font = name.value.decode("latin-1")
                if font not in _BOLD_FONTS:
                    _BOLD_FONTS[font] = bool(_BOLD_NAME.search(font.split("+")[-1]))
                chars.append(Char(chr(code), left, right, height - top, height - bottom,
                                  round(pdfium_c.FPDFText_GetFontSize(textpage.raw, i), 2),
                                  _BOLD_FONTS[font]))
            pages.append((height, chars, page_boxes))
            textpage.close()
            page.close()
    finally:
        doc.close()
    return pages


def _walk(item: LTContainer) -> Iterator[LTChar | LTRect | LTCurve | LTImage]:
    """Characters and graphics in content-stream order, also inside forms (`LTFigure`)."""
    for obj in item:
        if isinstance(obj, LTChar | LTCurve | LTImage):  # LTRect is an LTCurve
            yield obj
        elif isinstance(obj, LTContainer):
            yield from _walk(obj)


def _char(c: LTChar, page_top: float) -> Char:
    font = c.fontname or ""
    if font not in _BOLD_FONTS:
        _BOLD_FONTS[font] = bool(_BOLD_NAME.search(font.split("+")[-1]))
    return Char(c.get_text(), c.x0, c.x1, page_top - c.y1, page_top - c.y0, round(c.size, 2),
                 _BOLD_FONTS[font])


def _level(ln: Line, body: float) -> int:
    ratio = ln.size / body
    if ratio >= 1.5:
        return 1
    if ratio >= 1.25:
        return 2
    return 3 if ratio >= 1.08 or (ln.bold and ratio >= 0.95) else 0


def _join(head: str, tail: str, space: bool = False) -> str:
    """Join a wrapped line to the line above: Chinese and numbers with no space (a number
    can wrap between digits), English words with one, and the space the line ended in."""
    if space or (re.match(r"[A-Za-z]", head[-1:]) and re.match(r"[A-Za-z]", tail)):
        return f"{head} {tail}"
    return head + tail


def _assemble(order: list[Line], bodies: list[float]) -> str:
    """Blocks of paragraphs from lines in reading order; see the module docstring."""
    blocks: list[tuple[int, int, list[str]]] = []  # (blank lines before, level, lines)
    # The usual space between two lines of a paragraph; more (by a third of a line) is
    # paragraph spacing, in layouts that space paragraphs out instead of indenting them.
    leads = sorted(b.top - a.bottom for a, b in zip(order, order[1:])
                   if a.region == b.region and abs(a.size - b.size) < 0.05 * a.size)
    lead = leads[len(leads) // 2] if leads else 0.0
    prev: Line | None = None
    prev_level = 0
    for ln, body in zip(order, bodies):
        level = _level(ln, body)
        same = prev is not None and ln.region == prev.region
        gap = ln.top - prev.bottom if same else ln.top - ln.region_top if ln.first else 0.0
        if prev is None or gap > 3 * body:
            blocks.append((3 if prev is not None else 0, level, [ln.text]))
        elif level and level == prev_level and same and abs(ln.size - prev.size) < 0.05 * body \
                and gap <= lead + 0.35 * ln.size:
            # A headline over several lines, centred or not, wrapped or broken by hand: one
            # heading line, as the parser reads a headline printed over two lines.
            blocks[-1][2][-1] = _join(blocks[-1][2][-1], ln.text, prev.space_after)
        elif level != prev_level or abs(ln.size - prev.size) > 0.1 * body \
                or (same and gap > lead + 0.35 * ln.size) or ln.x0 - ln.left > 0.8 * ln.size:
            blocks.append((1, level, [ln.text]))  # a new paragraph
        elif prev.x1 >= prev.right - 3 * prev.size:
            # Near the right edge: line-breaking rules (no "……" or "，" opening a line) can
            # leave a wrapped line two characters short; a paragraph's end is told by the
            # indent or the space that opens the next one, both checked above.
            blocks[-1][2][-1] = _join(blocks[-1][2][-1], ln.text, prev.space_after)  # wrapped
        else:
            blocks[-1][2].append(ln.text)  # a short line: the block goes on
        prev, prev_level = ln, level
    out = []
    for gap, level, texts in blocks:
        length = sum(len(x) for x in texts)
        if level and (length > 150 or (level == 3 and length > 40)):
            level = 0  # a lead paragraph set large is still a paragraph
        compact = re.sub(r"\s+", "", "".join(texts))
        if level and re.search(r"\d", compact) and _ISSUE_HEADER.fullmatch(compact):
            level = 0
        text = "\n".join(x.strip() for x in texts)
        out.append("\n" * (gap + 1) + ("#" * level + " " if level else "") + text)
    return "".join(out).lstrip("\n") + "\n"
