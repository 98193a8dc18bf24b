"""Reading issue files: bytes → text (UTF-8, UTF-16, GB18030/GBK; a PDF through
`rag.ingest.pdf`), the size limit, the files of a folder, and `issues.csv`, the manifest that
gives number and date to files whose header was lost."""

from __future__ import annotations

import csv
import hashlib
import logging
import re
from pathlib import Path

from rag.settings import Settings
from rag.text import has_cjk

logger = logging.getLogger(__name__)

ISSUE_SUFFIXES = (".txt", ".md", ".pdf")
MANIFEST_NAME = "issues.csv"


def check_size(path: Path, max_file_mb: float) -> None:
    """Refuse a file over the limit from its size alone, before reading a byte of it.

    Raises:
        ValueError: the file is larger than `max_file_mb` megabytes (the MAX_FILE_MB setting).
    """
    size_mb = path.stat().st_size / (1024 * 1024)
    if size_mb > max_file_mb:
        raise ValueError(f"{size_mb:.1f} MB is over the MAX_FILE_MB={max_file_mb:g} limit: "
                         "split the file or raise MAX_FILE_MB")


def read_text(path: Path, max_file_mb: float | None = None) -> str:
    """Read an issue file as text: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030/GBK,
    or a PDF's text layer (headlines as markdown headings).

    Args:
        max_file_mb: the size limit; by default the MAX_FILE_MB setting.

    Raises:
        ValueError: the file is too large, empty, binary, in no encoding we can read, or a PDF
            that cannot be read (scanned, encrypted, damaged: `rag.ingest.pdf.PdfError`).
    """
    check_size(path, Settings.from_env().max_file_mb if max_file_mb is None else max_file_mb)
    if path.suffix.lower() == ".pdf":
        from rag.ingest.pdf import pdf_to_text  # pdfplumber loads only when a PDF comes

        return pdf_to_text(path)
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
    """SHA-256 of the file, read in blocks: a file over the size limit costs no memory."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


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


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The issue files (.txt, .md, .pdf) directly in a folder, by name."""
    return sorted(p for p in corpus_dir.iterdir()
                  if p.is_file() and p.suffix.lower() in ISSUE_SUFFIXES)
