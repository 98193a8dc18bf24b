"""Page layout of an e-paper PDF: characters → lines → reading order (used by `rag.ingest.pdf`).

Lines are runs of characters on one baseline. Columns are the x ranges that body-size lines
cover, found from where the characters are (two, three or more). A line that crosses a gutter
(a masthead, a headline over several columns) is a span; a headline that fits in one column
but has nothing beside it in the next, whose text goes on below it, spans that column too.
The reading order cuts the page the way XY-cut does: at a gutter no span crosses (left part
first), else just above the topmost span that crosses one (above it, the span, then below
it), until one column is left, read top to bottom. A page whose articles sit on different
column grids is first cut into bands where whitespace runs across it, each on its own grid.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_PAGE_NUMBER = re.compile(r"^[-–—\s]*(第\s*)?\d{1,4}\s*(版|页)?[-–—\s]*$|^(page|p\.)\s*\d+$",
                          re.IGNORECASE)
_HEAD_ZONE = 0.1  # page numbers count only in the top or bottom tenth of a page


@dataclass
class Char:
    text: str
    x0: float
    x1: float
    top: float  # distance from the top of the page
    bottom: float
    size: float
    bold: bool


@dataclass
class Box:
    """A picture or other graphic on the page."""

    x0: float
    x1: float
    top: float
    bottom: float


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    page: int = 0
    space_after: bool = False  # ends in a space (a headline wrapped between two words)
    region: tuple = ()  # (page, band, n): lines read one after another in a column, or spans
    left: float = 0.0  # edges of its column (of the span run for a span)
    right: float = 0.0
    region_top: float = 0.0  # where its region could start (below what is above it)
    first: bool = False  # first line of its region


def lines(chars: list[Char], page: int) -> list[Line]:
    """Runs of characters on one baseline with no wide gap, merged when drawn in pieces."""
    runs: list[list[Char]] = []
    for c in chars:
        last = runs[-1][-1] if runs else None
        if last and c.text == last.text and abs(c.x0 - last.x0) < 0.3 * c.size \
                and abs(c.bottom - last.bottom) < 0.3 * c.size:
            continue  # drawn twice, slightly offset: "fake bold" in headlines
        if last and abs(c.bottom - last.bottom) < 0.3 * c.size \
                and -0.5 * c.size < c.x0 - last.x1 < 1.2 * min(c.size, last.size):
            runs[-1].append(c)
        else:
            runs.append([c])
    runs.sort(key=lambda r: (round(r[0].bottom), r[0].x0))
    merged: list[list[Char]] = []
    for run in runs:
        prev = merged[-1] if merged else None
        if prev and abs(run[0].bottom - prev[-1].bottom) < 0.3 * run[0].size \
                and abs(run[0].size - prev[-1].size) < 0.1 * run[0].size \
                and 0 <= run[0].x0 - prev[-1].x1 < 1.0 * run[0].size:
            prev.extend(run)
        else:
            merged.append(run)
    result = []
    for run in merged:
        text = ""
        for a, b in zip([None, *run], run):
            # A visible gap with no space character is a space (words set apart by position).
            if a is not None and b.x0 - a.x1 > 0.5 * b.size and not (a.text + b.text).isspace():
                text += " "
            text += b.text
        ink = [c for c in run if not c.text.isspace()] or run
        size = Counter(round(c.size, 1) for c in ink).most_common(1)[0][0]
        bold = sum(c.bold for c in ink) * 2 > len(ink)
        result.append(Line(text.strip(), run[0].x0, run[-1].x1, min(c.top for c in run),
                           max(c.bottom for c in run), size, bold, page,
                           text != text.rstrip()))
    # A line drawn twice over itself (fake bold, or a shadow) is one line.
    kept: list[Line] = []
    seen: dict[str, list[Line]] = {}
    for ln in result:
        twins = seen.setdefault(ln.text, [])
        if ln.text and not any(abs(ln.x0 - t.x0) < 0.3 * ln.size
                               and abs(ln.top - t.top) < 0.3 * ln.size for t in twins):
            twins.append(ln)
            kept.append(ln)
    return kept


def drop_running(pages: list[list[Line]], heights: list[float]) -> list[list[Line]]:
    """Drop running heads and feet: the same text (digits aside) at the same place on at least
    half the pages, and page numbers alone at the top or bottom of a page. In the top or
    bottom tenth of a page the height alone is the place: odd and even pages mirror them."""
    def key(ln: Line, height: float) -> tuple:
        text = re.sub(r"\d+", "#", ln.text)
        if ln.bottom < height * _HEAD_ZONE or ln.top > height * (1 - _HEAD_ZONE):
            return text, round(ln.top / 6)
        return text, round(ln.top / 6), round(ln.x0 / 6)

    counts = Counter(k for page, height in zip(pages, heights)
                     for k in {key(ln, height) for ln in page})
    repeated = {k for k, n in counts.items() if n >= 2 and n * 2 >= len(pages)}
    kept = []
    for page, height in zip(pages, heights):
        kept.append([ln for ln in page if key(ln, height) not in repeated and not (
            _PAGE_NUMBER.match(ln.text) and (ln.bottom < height * _HEAD_ZONE
                                            or ln.top > height * (1 - _HEAD_ZONE)))])
    return kept


def body_size(page: list[Line]) -> float | None:
    """The most common font size, weighted by characters; None on a page with little text."""
    sizes = Counter(round(ln.size * 2) / 2 for ln in page for _ in range(len(ln.text)))
    return sizes.most_common(1)[0][0] if sum(sizes.values()) >= 100 else None


def columns(page: list[Line], body: float) -> list[tuple[float, float]]:
    """x ranges of the columns, from how many body-size lines cover each x.

    A gutter is a stretch at least a character wide where the cover falls below a fifth of
    the fuller side's lesser peak: a few headlines or masthead lines may cross it, and a
    short last column (a few lines) still counts as a column.
    """
    x_min = int(min(ln.x0 for ln in page))
    x_max = int(max(ln.x1 for ln in page)) + 1
    cover = [0] * (x_max - x_min + 1)
    for ln in page:
        if abs(ln.size - body) <= 0.1 * body:
            for x in range(int(ln.x0) - x_min, int(ln.x1) - x_min + 1):
                cover[x] += 1
    left, right = cover[:], cover[:]
    for x in range(1, len(cover)):
        left[x] = max(left[x - 1], cover[x])
    for x in range(len(cover) - 2, -1, -1):
        right[x] = max(right[x + 1], cover[x])
    low = [c <= 0.2 * min(a, b) for c, a, b in zip(cover, left, right)]
    edges, x = [0], 0
    while x < len(cover):
        if low[x]:
            end = x
            while end < len(cover) and low[end]:
                end += 1
            if x > 0 and end < len(cover) and end - x >= 0.8 * body:
                edges += [x, end]
            x = end
        else:
            x += 1
    edges.append(len(cover))
    found = []
    for a, b in zip(edges[::2], edges[1::2]):
        peak = max(cover[a:b], default=0)
        inked = [x for x in range(a, b) if cover[x] >= 0.2 * peak and cover[x] > 0]
        if inked:
            found.append((float(inked[0] + x_min), float(inked[-1] + x_min + 1)))
    return found or [(float(x_min), float(x_max))]


def reading_order(page: list[Line], body: float, boxes: list[Box] = ()) -> list[Line]:
    """The page's lines in reading order, each with its region and column edges set.

    `boxes` are pictures and other graphics: a headline with one beside it is not alone there.
    Articles stacked on different column grids (three columns above two) are read band by
    band, each band on its own grid; the bands are cut where whitespace crosses the page.
    """
    if not page:
        return []
    cols = columns(page, body)
    bands = _bands(page, body, boxes)
    if len(bands) > 1 and any(
            not any(abs(a - x) <= body and abs(b - y) <= body for x, y in cols)
            for band in bands if sum(abs(ln.size - body) <= 0.1 * body for ln in band) >= 6
            for a, b in columns(band, body)):
        return [ln for n, band in enumerate(bands)
                for ln in _read(band, body, boxes, columns(band, body), n)]
    return _read(page, body, boxes, cols, 0)


def _bands(page: list[Line], body: float, boxes: list[Box]) -> list[list[Line]]:
    """The page cut where whitespace at least 1.5 lines high runs across it (a picture is
    not whitespace)."""
    ordered = sorted([*page, *boxes], key=lambda it: it.top)
    bands: list[list[Line]] = [[]]
    bottom = ordered[0].top
    for it in ordered:
        if it.top - bottom >= 1.5 * body and bands[-1]:
            bands.append([])
        if isinstance(it, Line):
            bands[-1].append(it)
        bottom = max(bottom, it.bottom)
    return [band for band in bands if band]


def _read(page: list[Line], body: float, boxes: list[Box], cols: list[tuple[float, float]],
          band: int) -> list[Line]:
    items = []  # (first column, last column, line)
    for ln in page:
        inside = [i for i, (a, b) in enumerate(cols) if ln.x0 >= a - body and ln.x1 <= b + body]
        if inside:
            items.append((inside[0], inside[0], ln))
        else:
            over = [i for i, (a, b) in enumerate(cols) if ln.x0 < b and ln.x1 > a] or [0]
            items.append((over[0], over[-1], ln))
    items = _widen_headlines(items, cols, body, boxes)
    order: list[tuple[int, Line, float]] = []  # (column or -1 for a span, line, region top)
    _cut(items, 0, len(cols) - 1, min(ln.top for ln in page), order)
    result = []
    spans: dict[tuple, list[Line]] = {}
    region = -1
    for n, (col, ln, top) in enumerate(order):
        if n == 0 or col != order[n - 1][0]:
            region += 1
            ln.first, ln.region_top = True, top
        ln.region = (ln.page, band, region)
        if col >= 0:
            ln.left, ln.right = cols[col]
        else:
            spans.setdefault(ln.region, []).append(ln)
        result.append(ln)
    # Spans one after another (a masthead, a motto in two lines) share their edges.
    for run in spans.values():
        for ln in run:
            ln.left, ln.right = min(x.x0 for x in run), max(x.x1 for x in run)
    return result


def _widen_headlines(items: list[tuple[int, int, Line]], cols: list[tuple[float, float]],
                     body: float, boxes: list[Box]) -> list[tuple[int, int, Line]]:
    """A headline set over several columns but short enough to fit in fewer: it spans the
    neighbouring columns that have nothing beside it. A headline inside one column spans a
    neighbour only if that column goes on below it (the article's text): beside a column that
    ended above it (the last column of a page set in flow), it stays in its own."""
    def free(col: int, ln: Line, spanning: bool) -> bool:
        a, b = cols[col]
        beside = any(x <= col <= y and o.top < ln.bottom and o.bottom > ln.top
                     for x, y, o in items if o is not ln) or any(
            box.x0 < b and box.x1 > a and box.top < ln.bottom and box.bottom > ln.top
            for box in boxes)
        return not beside and (spanning or any(x <= col <= y and o.top >= ln.bottom
                                               for x, y, o in items))

    widened = []
    for lo, hi, ln in items:
        if ln.size >= 1.25 * body:
            spanning = lo < hi
            while lo > 0 and free(lo - 1, ln, spanning):
                lo -= 1
            while hi < len(cols) - 1 and free(hi + 1, ln, spanning):
                hi += 1
        widened.append((lo, hi, ln))
    return widened


def _cut(items: list[tuple[int, int, Line]], lo: int, hi: int, top: float,
         out: list[tuple[int, Line, float]]) -> None:
    """Append `items` (within columns lo..hi, below `top`) to `out` in reading order."""
    if not items:
        return
    if lo == hi:
        out += [(lo, ln, top) for _, _, ln in sorted(items, key=lambda it: (it[2].top, it[2].x0))]
        return
    for gutter in range(lo, hi):  # between column `gutter` and the next
        if not any(a <= gutter < b for a, b, _ in items):
            # Side by side, columns start where the highest of them does: a column starting
            # lower has a picture (or a headline set over its neighbour only) above it.
            top = min(it[2].top for it in items)
            _cut([it for it in items if it[1] <= gutter], lo, gutter, top, out)
            _cut([it for it in items if it[0] > gutter], gutter + 1, hi, top, out)
            return
    span = min((it for it in items if it[0] < it[1]), key=lambda it: it[2].top)
    above = [it for it in items if it is not span and it[2].top < span[2].top]
    below = [it for it in items if it is not span and it[2].top >= span[2].top]
    _cut(above, lo, hi, top, out)
    out.append((-1, span[2], span[2].top))
    _cut(below, lo, hi, span[2].bottom, out)

