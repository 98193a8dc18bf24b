"""PDF issues: the sample issues rendered as two-column e-paper PDFs read back as their text.

Each sample issue is laid out by `pdfmaker` (reportlab, built-in CID font STSong-Light: issue
header, two columns, large headlines set across them and drawn twice (fake bold), running
heads, page numbers, picture boxes), read with `pdf_to_text`, parsed, and compared with the
parse of the text file it came from. Other layouts (headlines inside a column, three columns,
spaced paragraphs, column grids changing down the page, copy protection) and the scanned,
encrypted and damaged cases follow.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from pdfmaker import render_encrypted, render_issue, render_scanned, truncate
from reportlab.lib.pdfencrypt import StandardEncryption

from rag.ingest.parse import parse_file
from rag.ingest.pdf import (
    DamagedPdfError,
    EncryptedPdfError,
    PdfError,
    ScannedPdfError,
    pdf_to_text,
)
from rag.types import Issue

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
SAMPLES = sorted(p.name for p in CORPUS.glob("*.txt"))


@dataclass
class Pair:
    text: Issue  # parsed from the text file
    pdf: Issue  # parsed from the PDF's text
    path: Path  # the PDF
    pdf_text: str
    seconds: float  # pdf_to_text


def headlines(issue: Issue) -> dict[str, int]:
    """The headline lines a printed page sets large: titles, and kickers and subtitles."""
    levels: dict[str, int] = {}
    for art in issue.articles:
        for line in (art.kicker, art.subtitle):
            if line:
                levels.setdefault(line, 2)
        if not art.title_derived:
            levels[art.title] = 1
    return levels


def read_pdf(pdf: Path, source: str) -> tuple[Issue, str, float]:
    start = time.perf_counter()
    text = pdf_to_text(pdf)
    seconds = time.perf_counter() - start
    as_text = pdf.with_suffix(".pdf.txt")
    as_text.write_text(text, encoding="utf-8")
    return parse_file(as_text, source=source), text, seconds


@pytest.fixture(scope="module")
def pairs(tmp_path_factory) -> dict[str, Pair]:
    folder = tmp_path_factory.mktemp("pdf")
    result = {}
    for name in SAMPLES:
        text_issue = parse_file(CORPUS / name)
        pdf = render_issue(CORPUS / name, folder / f"{name}.pdf", headlines(text_issue),
                           span=True, fake_bold=True)
        pdf_issue, pdf_text, seconds = read_pdf(pdf, name)
        result[name] = Pair(text_issue, pdf_issue, pdf, pdf_text, seconds)
    return result


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def matched_titles(a: Issue, b: Issue) -> float:
    """Share of `a`'s titles that are titles in `b` too."""
    titles = {art.title for art in b.articles}
    return sum(art.title in titles for art in a.articles) / len(a.articles)


@pytest.mark.parametrize("name", SAMPLES)
def test_titles_match_the_text_version(pairs, name):
    pair = pairs[name]
    assert pair.text.articles
    assert matched_titles(pair.text, pair.pdf) >= 0.95
    assert matched_titles(pair.pdf, pair.text) >= 0.95  # and no invented articles


@pytest.mark.parametrize("name", SAMPLES)
def test_each_body_starts_with_its_first_paragraph(pairs, name):
    pair = pairs[name]
    by_title = {art.title: art for art in pair.pdf.articles}
    for art in pair.text.articles:
        if art.title in by_title:
            got = by_title[art.title]
            assert squash(got.paragraphs[0]) == squash(art.paragraphs[0]), art.title
            assert got.authors == art.authors, art.title


@pytest.mark.parametrize("name", SAMPLES)
def test_paragraph_text_equal(pairs, name):
    assert fidelity(pairs[name].text, pairs[name].pdf)[1] >= 0.95


def test_issue_number_and_date_read_where_printed(pairs):
    printed = [pair for pair in pairs.values() if pair.text.number is not None]
    assert len(printed) >= 2  # 000 and 001 print their header
    for pair in pairs.values():
        assert (pair.pdf.number, pair.pdf.date) == (pair.text.number, pair.text.date)


def test_page_furniture_dropped_and_headlines_marked(pairs):
    pair = pairs["000_901c193272ce665a.txt"]
    lines = pair.pdf_text.splitlines()
    # The running head "公安周刊 2024年10月29日 第N版" and the page numbers are gone...
    assert not any(re.search(r"第\d版$", line) for line in lines)
    assert not any(re.fullmatch(r"\d{1,2}", line) for line in lines)
    # ...while the header of page 1 stays plain, where the parser reads it.
    assert lines[:3] == ["2024年10月29日 星期二", "", "第831期 本刊今日4版"]
    assert "# 省公安厅召开优化营商环境座谈会" in lines
    assert "## 对标一流 创新提升法治保障服务保障队伍保障" in lines


def fidelity(text_issue: Issue, pdf_issue: Issue) -> tuple[float, float]:
    """(share of titles matched, share of paragraphs equal)."""
    want = [squash(p) for art in text_issue.articles for p in art.paragraphs]
    got = {squash(p) for art in pdf_issue.articles for p in art.paragraphs}
    return matched_titles(text_issue, pdf_issue), sum(p in got for p in want) / len(want)


@pytest.mark.parametrize("name", ["001_46bd6e34c8861008.txt", "004_1278810c02445c99.txt"])
def test_headlines_inside_columns(tmp_path, name):
    """Headlines set inside a column, the text flowing on beside them in the next column."""
    text_issue = parse_file(CORPUS / name)
    pdf = render_issue(CORPUS / name, tmp_path / "flow.pdf", headlines(text_issue))
    titles, paragraphs = fidelity(text_issue, read_pdf(pdf, name)[0])
    assert titles >= 0.95 and paragraphs >= 0.95


def test_three_columns_and_spaced_paragraphs(tmp_path):
    """Columns come from where the characters are, not from an assumed two; paragraphs set
    apart by space rather than by an indent are still told apart."""
    name = "003_885310d768a52e6a.txt"  # its last page has a short third column
    text_issue = parse_file(CORPUS / name)
    pdf = render_issue(CORPUS / name, tmp_path / "three.pdf", headlines(text_issue), columns=3,
                       indent=False)
    titles, paragraphs = fidelity(text_issue, read_pdf(pdf, name)[0])
    assert titles >= 0.95 and paragraphs >= 0.95


def test_articles_on_different_column_grids(tmp_path):
    """Articles stacked on three columns, then two, then three: each band on its own grid."""
    name = "003_885310d768a52e6a.txt"
    text_issue = parse_file(CORPUS / name)
    pdf = render_issue(CORPUS / name, tmp_path / "grids.pdf", headlines(text_issue), span=True,
                       grids=(3, 2))
    titles, paragraphs = fidelity(text_issue, read_pdf(pdf, name)[0])
    assert titles >= 0.95 and paragraphs >= 0.95


def test_copy_protected_pdf(tmp_path):
    """Encrypted with an owner password only (opens freely, copying forbidden): read."""
    name = "002_59ee2e44099c27a5.txt"
    text_issue = parse_file(CORPUS / name)
    locked = StandardEncryption("", ownerPassword="owner", canCopy=0, canModify=0)
    pdf = render_issue(CORPUS / name, tmp_path / "owner.pdf", headlines(text_issue), span=True,
                       encrypt=locked)
    titles, paragraphs = fidelity(text_issue, read_pdf(pdf, name)[0])
    assert titles >= 0.95 and paragraphs >= 0.95


def test_extraction_is_quick(pairs):
    # About 0.5 s for a 3-page issue on a loaded 2-core machine; a regression to a slow path
    # (per-character dicts, quadratic line grouping) shows as several seconds.
    assert max(pair.seconds for pair in pairs.values()) < 5


def one_line_error(err: PdfError) -> str:
    message = str(err)
    assert isinstance(err, ValueError)  # skipped and named by the file-reading code
    assert "\n" not in message and len(message) < 200
    return message


def test_scanned_pdf(tmp_path):
    with pytest.raises(ScannedPdfError) as info:
        pdf_to_text(render_scanned(tmp_path / "scan.pdf"))
    assert one_line_error(info.value) == (
        "no text layer (a scanned PDF?): OCR is not supported; "
        "export the issue as text or a text PDF")


def test_encrypted_pdf(tmp_path):
    pdf = render_encrypted(CORPUS / SAMPLES[0], tmp_path / "locked.pdf")
    with pytest.raises(EncryptedPdfError) as info:
        pdf_to_text(pdf)
    assert one_line_error(info.value).startswith("encrypted PDF (it needs a password): ")


def test_damaged_pdfs(pairs, tmp_path):
    whole = pairs[SAMPLES[0]].path
    broken = [truncate(whole, tmp_path / "cut.pdf"), tmp_path / "text.pdf", tmp_path / "empty.pdf"]
    broken[1].write_text("公安周刊", encoding="utf-8")  # a text file named .pdf
    broken[2].write_bytes(b"")
    # Right header and end marker, garbage between: the parser itself has to refuse it.
    garbled = tmp_path / "garbled.pdf"
    data = whole.read_bytes()
    garbled.write_bytes(data[:9] + bytes(len(data) - 2000) + data[-1991:])
    for pdf in [*broken, garbled]:
        with pytest.raises(DamagedPdfError) as info:
            pdf_to_text(pdf)
        assert one_line_error(info.value).startswith("damaged or incomplete PDF (")
        assert info.value.args[0].endswith("download or export the issue again")
