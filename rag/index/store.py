"""The index on disk: FAISS (IndexFlatIP, the file llama-index's `FaissVectorStore` reads) +
BM25 (bm25s over jieba tokens) + metadata.

Layout of an index folder::

    index/
      current -> builds/20261124T034500-1a2b   (symlink, swapped atomically)
      builds/20261124T034500-1a2b/
        manifest.json    model, dimension, chunking, per-file hashes, counts, the sizes
                         of the row files (.jsonl), versions, time
        chunks.jsonl     one chunk per line; line i is FAISS row i and BM25 document i
        tokens.jsonl     BM25 tokens of each chunk, so a rebuild reuses them without jieba
        counts.npz       chunk × token counts, so an add updates BM25 from counts (bm25.py)
        doc_freqs.json   how many chunks hold each token, for the answerer's IDF weights
        articles.jsonl   full articles, for /issue and the article buttons
        issues.json      issue metadata and parse warnings
        vectors.npy      normalised float32 vectors, kept so FAISS can be rewritten
        vector_store.faiss, bm25/

Every write goes to a new build folder (`rag.index.write`); `current` moves only when the
build is complete, so a failed or killed build never touches the index being served. Files of
a build are never changed once it is complete.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rag.errors import IndexCorruptError, IndexNotFoundError, ModelMismatchError
from rag.types import Article, Chunk, Issue

if TYPE_CHECKING:  # imported where used: they cost seconds that --help or an add need not pay
    import bm25s
    import faiss

logger = logging.getLogger(__name__)

FORMAT_VERSION = 2  # 2: doc_freqs.json
MANIFEST = "manifest.json"
ROW_FILES = ("chunks.jsonl", "tokens.jsonl", "articles.jsonl")  # one line per row


@dataclass
class IndexData:
    """A loaded build: what retrieval and answering read."""

    path: Path
    manifest: dict
    chunks: list[Chunk]
    articles: dict[str, Article]
    issues: list[Issue]  # each with its articles, in reading order
    vectors: np.ndarray
    faiss_index: faiss.Index | None  # None when loaded to be updated, not searched
    bm25: bm25s.BM25 | None
    doc_freqs: dict[str, int]  # chunks holding each BM25 token
    article_chunks: dict[str, list[int]] = field(default_factory=dict)
    # Per-chunk columns for filtering without a Python loop over every chunk.
    issue_col: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    date_col: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype="U10"))
    source_col: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))

    def __post_init__(self) -> None:
        for row, chunk in enumerate(self.chunks):
            self.article_chunks.setdefault(chunk.article_id, []).append(row)
        self.issue_col = np.array([-1 if c.issue is None else c.issue for c in self.chunks],
                                  dtype=np.int64)
        self.date_col = np.array([c.date or "" for c in self.chunks], dtype="U10")
        self.source_col = np.array([c.source for c in self.chunks], dtype=object)


def resolve_build(index_dir: Path) -> Path:
    """The build folder `index_dir/current` points to.

    Raises:
        IndexNotFoundError: nothing was ever built there.
        IndexCorruptError: the pointer or the build it names is missing.
    """
    check_folder(index_dir)
    current = index_dir / "current"
    if not current.is_symlink() and not current.exists():
        raise IndexNotFoundError(str(index_dir))
    build = current.resolve()
    if not build.is_dir():
        raise IndexCorruptError(str(index_dir), f"{current} points to a missing build")
    return build


def check_folder(index_dir: Path) -> None:
    """Raises IndexNotFoundError when `index_dir` is a file: an index is a folder."""
    if index_dir.exists() and not index_dir.is_dir():
        raise IndexNotFoundError(str(index_dir), is_file=True)


def read_manifest(build: Path, index_dir: Path) -> dict:
    try:
        manifest = json.loads((build / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise IndexCorruptError(str(index_dir), f"unreadable {MANIFEST}: {err}") from err
    if manifest.get("format") != FORMAT_VERSION:
        raise IndexCorruptError(str(index_dir), f"format {manifest.get('format')} is not "
                                                f"{FORMAT_VERSION}")
    return manifest


def load_index(index_dir: str | Path, model: str | None = None,
               search: bool = True) -> IndexData:
    """Load the current build, checking that its parts agree with each other.

    With `model` (a canonical embedding model name), also check that the build was embedded
    with it: query vectors of another model would be compared with meaningless ones.
    With `search=False` (to update the index, not to search it), FAISS, BM25 and the document
    frequencies are left unloaded, and FAISS and bm25s unimported.

    Raises:
        IndexNotFoundError, IndexCorruptError: build the index (`python -m rag build`).
        ModelMismatchError: the index was built with another embedding model.
    """
    index_dir = Path(index_dir)
    build, manifest = _current(index_dir, model)
    try:
        chunks = [Chunk(**row) for row in _rows(build / "chunks.jsonl")]
        articles = {a["id"]: Article(**a) for a in _rows(build / "articles.jsonl")}
        issues = [_issue(d, articles)
                  for d in json.loads((build / "issues.json").read_text(encoding="utf-8"))]
        # Memory-mapped: the vectors are only read for filtered searches and rewrites.
        vectors = np.load(build / "vectors.npy", mmap_mode="r")
        faiss_index = bm25 = None
        doc_freqs: dict[str, int] = {}
        if search:
            import bm25s
            import faiss

            faiss_index = faiss.read_index(str(build / "vector_store.faiss"))
            bm25 = bm25s.BM25.load(str(build / "bm25"))
            doc_freqs = json.loads((build / "doc_freqs.json").read_text(encoding="utf-8"))
    except Exception as err:  # truncated JSON, bad numpy header, faiss or bm25s read errors
        raise IndexCorruptError(str(index_dir), f"{type(err).__name__}: {err}") from err
    n = manifest["counts"]["chunks"]
    sizes = {"chunks": len(chunks), "vectors": vectors.shape[0]}
    if search:
        sizes.update(faiss=faiss_index.ntotal, bm25=int(bm25.scores["num_docs"]))
    if any(size != n for size in sizes.values()):
        raise IndexCorruptError(str(index_dir), f"parts disagree: manifest says {n} chunks, "
                                                f"found {sizes}")
    return IndexData(build, manifest, chunks, articles, issues, vectors, faiss_index, bm25,
                     doc_freqs)


@dataclass
class Outline:
    """What adding an issue needs of the build in use: its manifest and its issues' headers
    (number, date, source; `articles` left empty), without the 40 MB of chunk and article
    text that take a second to parse on a 1,000-issue archive."""

    path: Path
    manifest: dict
    issues: list[Issue]  # headers only: `articles` is empty
    records: list[dict]  # issues.json as stored, each naming its articles by id

    @property
    def chunk_count(self) -> int:
        return int(self.manifest["counts"]["chunks"])

    @property
    def article_count(self) -> int:
        return int(self.manifest["counts"]["articles"])


def _current(index_dir: Path, model: str | None) -> tuple[Path, dict]:
    """The current build folder and its manifest, refused when built with another model."""
    build = resolve_build(index_dir)
    manifest = read_manifest(build, index_dir)
    if model is not None and manifest.get("model") != model:
        raise ModelMismatchError(str(index_dir), manifest.get("model"), model)
    return build, manifest


def load_outline(index_dir: str | Path, model: str | None = None) -> Outline:
    """The current build's manifest and issue headers (see `load_index` for `model`).

    Raises:
        IndexNotFoundError, IndexCorruptError, ModelMismatchError: as `load_index`.
    """
    index_dir = Path(index_dir)
    build, manifest = _current(index_dir, model)
    try:
        records = json.loads((build / "issues.json").read_text(encoding="utf-8"))
        issues = [Issue(**{k: v for k, v in r.items() if k != "articles"}) for r in records]
        rows = np.load(build / "vectors.npy", mmap_mode="r").shape[0]
    except Exception as err:  # truncated JSON, bad numpy header
        raise IndexCorruptError(str(index_dir), f"{type(err).__name__}: {err}") from err
    outline = Outline(build, manifest, issues, records)
    if rows != outline.chunk_count:
        raise IndexCorruptError(str(index_dir), f"parts disagree: manifest says "
                                                f"{outline.chunk_count} chunks, found {rows}")
    return outline


def _issue(record: dict, articles: dict[str, Article]) -> Issue:
    """An `Issue` from its issues.json record, which names its articles by id."""
    fields = {k: v for k, v in record.items() if k != "articles"}
    return Issue(**fields, articles=[articles[a] for a in record["articles"] if a in articles])


def issue_record(issue: Issue) -> dict:
    """The issues.json record of an issue: its articles by id (they live in articles.jsonl)."""
    return {"source": issue.source, "number": issue.number, "date": issue.date,
            "pages": issue.pages, "warnings": issue.warnings,
            "articles": [a.id for a in issue.articles]}


def _rows(path: Path) -> list:
    """The rows of a JSON Lines file, parsed as one JSON array: about three times faster than
    a parse per line on 25,000 chunks (JSON strings hold no raw newline, so only rows do)."""
    text = path.read_text(encoding="utf-8").strip()
    return json.loads("[" + ",".join(filter(str.strip, text.split("\n"))) + "]")


@contextlib.contextmanager
def index_lock(index_dir: Path):
    """One writer at a time: a second `add` waits instead of losing the first one's issue."""
    check_folder(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / ".lock").open("w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            logger.warning("another update of %s is running; waiting for it", index_dir)
            fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
