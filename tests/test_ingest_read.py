"""Reading issue files: the size limit (before any reading), PDF input beside .txt and .md, and
bracket widths made consistent."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pdfmaker import render_issue, truncate

from rag.ingest.parse import parse_corpus, parse_file, parse_paths
from rag.ingest.read import corpus_files
from rag.settings import Settings
from rag.text import normalize

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SAMPLE = CORPUS / "000_901c193272ce665a.txt"  # its header prints the issue number


def sparse(path: Path, mb: float) -> Path:
    """A file of `mb` megabytes of NUL bytes, made without writing them."""
    with path.open("wb") as f:
        f.truncate(int(mb * 1024 * 1024))
    return path


def test_a_file_over_the_limit_is_refused_in_one_line_before_it_is_read(tmp_path):
    shutil.copy(SAMPLE, tmp_path / SAMPLE.name)
    sparse(tmp_path / "huge.txt", 60)
    assert Settings().max_file_mb == 5
    issues, warnings = parse_corpus(tmp_path)
    assert [i.source for i in issues] == [SAMPLE.name]
    # NUL bytes would be refused as binary if the file had been read: the size came first.
    assert warnings == ["huge.txt: skipped, 60.0 MB is over the MAX_FILE_MB=5 limit: "
                        "split the file or raise MAX_FILE_MB"]


def test_the_limit_is_a_setting(tmp_path, monkeypatch):
    shutil.copy(SAMPLE, tmp_path / SAMPLE.name)
    size_mb = SAMPLE.stat().st_size / 1024 / 1024
    issues, warnings = parse_paths([tmp_path / SAMPLE.name], max_file_mb=size_mb / 2)
    assert not issues and "over the MAX_FILE_MB=" in warnings[0] and "\n" not in warnings[0]
    monkeypatch.setenv("MAX_FILE_MB", str(size_mb / 2))  # read from the environment by default
    assert parse_paths([tmp_path / SAMPLE.name])[0] == []
    monkeypatch.setenv("MAX_FILE_MB", "1")
    assert len(parse_paths([tmp_path / SAMPLE.name])[0]) == 1
    with pytest.raises(ValueError, match="MAX_FILE_MB=0.001 limit"):
        parse_file(tmp_path / SAMPLE.name, max_file_mb=0.001)


def test_pdf_issues_are_listed_and_parsed_beside_text_ones(tmp_path):
    source = CORPUS / "004_1278810c02445c99.txt"
    text_issue = parse_file(source)
    headlines = {a.title: 1 for a in text_issue.articles if not a.title_derived}
    render_issue(source, tmp_path / "004.pdf", headlines)
    shutil.copy(SAMPLE, tmp_path / "000.txt")
    truncate(tmp_path / "004.pdf", tmp_path / "broken.pdf")
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    assert [p.name for p in corpus_files(tmp_path)] == ["000.txt", "004.pdf", "broken.pdf"]
    issues, warnings = parse_corpus(tmp_path)
    assert [i.source for i in issues] == ["000.txt", "004.pdf"]
    pdf_issue = issues[1]
    assert [a.title for a in pdf_issue.articles] == [a.title for a in text_issue.articles]
    # A damaged PDF is skipped with its one-line reason, like any unreadable file.
    skipped = [w for w in warnings if "skipped" in w]
    assert len(skipped) == 1 and skipped[0].startswith("broken.pdf: skipped, damaged")
    assert "\n" not in skipped[0]


@pytest.mark.parametrize("printed, clean", [
    ("林投姐 (1988年电影）", "林投姐（1988年电影）"),
    ("林投姐 (1988年电影)", "林投姐（1988年电影）"),
    ("民主党_(美国)", "民主党_（美国）"),
    ("本报讯(张哲 哈新茂)", "本报讯（张哲 哈新茂）"),
    ("（下转第3版)", "（下转第3版）"),
    ("于10:30 (GMT) 发布", "于10:30 (GMT) 发布"),  # no Chinese in or at the pair: half-width
    ("f(x) = 1", "f(x) = 1"),
    ("ＡＢＣ１２３，９７％", "ABC123，97%"),
])
def test_brackets_and_full_width_forms_are_normalised_consistently(printed, clean):
    assert normalize(printed) == clean
    assert normalize(clean) == clean
