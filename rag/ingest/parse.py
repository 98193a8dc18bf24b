"""Parse issue files of 公安周刊 into `Issue`s with clean `Article`s.

The files are text extracted from the printed PDF: with or without markdown headings, with
mastheads, footers, captions and page breaks in the middle of words. `rag.ingest.read` decodes
them, `rag.ingest.clean` strips the noise and reads the header, `rag.ingest.layout` finds
titles, bylines and article boundaries, and `rag.ingest.continuations` joins 下转/上接 parts.
"""

from __future__ import annotations

import logging
from pathlib import Path

from tqdm import tqdm

from rag.errors import CorpusError
from rag.ingest.clean import read_header, to_lines
from rag.ingest.continuations import join_continuations
from rag.ingest.layout import assemble_articles
from rag.ingest.read import MANIFEST_NAME, corpus_files, load_manifest, read_text
from rag.settings import Settings
from rag.text import normalize
from rag.types import Issue

logger = logging.getLogger(__name__)


def parse_file(path: Path, manifest: dict[str, dict] | None = None, source: str = "",
               max_file_mb: float | None = None) -> Issue:
    """Parse one issue file (.txt, .md or .pdf).

    Raises:
        ValueError: the file is over `max_file_mb` (default: the MAX_FILE_MB setting) or
            cannot be read as text; the message is one line saying why.
    """
    text = read_text(path, max_file_mb)
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


def parse_corpus(
    corpus_dir: str | Path, show_progress: bool = False, max_file_mb: float | None = None
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
                          "put issue files (.txt, .md or .pdf) there or pass --corpus DIR")
    manifest = load_manifest(corpus_dir)
    issues, warnings = parse_paths(corpus_files(corpus_dir), manifest, show_progress,
                                   max_file_mb)
    warnings += duplicate_numbers(issues)
    join_continuations(issues)
    if not issues:
        raise CorpusError(f"no readable issue file (.txt, .md or .pdf) in {corpus_dir}")
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
    paths: list[Path], manifest: dict[str, dict] | None = None, show_progress: bool = False,
    max_file_mb: float | None = None,
) -> tuple[list[Issue], list[str]]:
    """Parse the given files one by one; skip (and name) the ones that cannot be read.

    Each issue is parsed on its own: checks across issues (duplicate numbers, continuations)
    are the caller's, once, over every issue it holds (`parse_corpus`, or the indexer's add).
    """
    if max_file_mb is None:
        max_file_mb = Settings.from_env().max_file_mb
    issues: list[Issue] = []
    warnings: list[str] = []
    for path in tqdm(paths, desc="parse", unit="file", disable=not show_progress):
        try:
            issue = parse_file(path, manifest, max_file_mb=max_file_mb)
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
    return issues, warnings
