"""Writing a build of the index (the layout is in `rag.index.store`): every write goes to
a new folder and `current` moves to it only when it is complete, so a failed or killed
build never touches the index being served; an appended build copies its base's files.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from rag.errors import IndexCorruptError
from rag.index import bm25 as bm25_counts
from rag.index.store import FORMAT_VERSION, MANIFEST, ROW_FILES, Outline
from rag.types import Article, Chunk


def write_build(
    index_dir: Path,
    chunks: list[Chunk],
    tokens: list[list[str]],
    vectors: np.ndarray | Callable[[], np.ndarray],
    articles: list[Article],
    records: list[dict],
    manifest: dict,
    counts: Any,
    vocab: dict[str, int],
    show_progress: bool = False,
    base: Outline | None = None,
) -> Path:
    """Write a complete build in a new folder, then point `current` at it.

    `chunks`, `tokens`, `vectors` and the rows of `counts` (chunk × token counts over `vocab`,
    see `rag.index.bm25`) are row-aligned: row i is FAISS row i and BM25 document i.
    `records` are all issues' issues.json records (`issue_record`). `vectors` may be a
    function giving them: it is called once everything else is written, so embedding that
    runs in the background overlaps the writing.

    With `base` (the build in use, to which issues are appended), `chunks`, `tokens`,
    `vectors` and `articles` are only the rows after the base's: its files are copied byte
    for byte and the new rows written after them, which keeps adding an issue to a large
    archive fast. `counts` always covers every row.
    """
    builds = index_dir / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    name = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    tmp = builds / f".tmp-{name}"
    tmp.mkdir()
    try:
        steps = tqdm(total=5, desc="write", unit="part", disable=not show_progress)
        if base is not None:
            for part, rows in (("chunks.jsonl", base.chunk_count),
                               ("tokens.jsonl", base.chunk_count),
                               ("articles.jsonl", base.article_count)):
                _copy_rows(base.path / part, tmp / part, rows, base.manifest.get("bytes", {}))
        # Flat dataclasses: vars() is what asdict() gives, without its deep copies.
        _append_jsonl(tmp / "chunks.jsonl", (vars(c) for c in chunks))
        _append_jsonl(tmp / "tokens.jsonl", tokens)
        _append_jsonl(tmp / "articles.jsonl", (vars(a) for a in articles))
        (tmp / "issues.json").write_text(json.dumps(records, ensure_ascii=False, indent=1),
                                         encoding="utf-8")
        (tmp / "doc_freqs.json").write_text(json.dumps(
            bm25_counts.doc_freqs(counts, vocab), ensure_ascii=False), encoding="utf-8")
        steps.update()
        bm25_counts.save_counts(tmp / bm25_counts.COUNTS, counts)
        bm25_counts.bm25_index(counts, vocab).save(str(tmp / "bm25"), show_progress=False)
        steps.update()
        vectors = np.ascontiguousarray(vectors() if callable(vectors) else vectors,
                                       dtype=np.float32)
        rows, dim = write_vectors(vectors, tmp, base.path / "vectors.npy" if base else None)
        steps.update(2)
        total = len(chunks) + (base.chunk_count if base else 0)
        manifest = {**manifest, "format": FORMAT_VERSION, "dimension": dim,
                    "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    "bytes": {part: (tmp / part).stat().st_size for part in ROW_FILES},
                    "counts": {"chunks": total,
                               "articles": len(articles) + (base.article_count if base else 0),
                               "issues": len(records)}}
        if counts.shape[0] != total or rows != total:
            raise ValueError(f"{total} chunks but {counts.shape[0]} BM25 rows and "
                             f"{rows} vectors")
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                    encoding="utf-8")
        steps.update()
        steps.close()
        final = builds / name
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _point_current(index_dir, final)
    _prune(builds, keep=final)
    return final


def _copy_rows(source: Path, target: Path, rows: int, sizes: dict[str, int]) -> None:
    """Copy a JSON Lines file of the base build, checking it holds the rows its manifest
    says (a damaged base must not pass its damage on to every later build): by the size
    the manifest records, else (a build from before sizes were kept) by counting lines."""
    if source.name in sizes:
        if source.stat().st_size != sizes[source.name]:
            raise IndexCorruptError(str(source.parent.parent.parent),
                                    f"{source.name} is not the size its build wrote")
        shutil.copyfile(source, target)  # in the kernel (sendfile), no bytes through Python
        return
    data = source.read_bytes()
    found = data.count(b"\n")
    if found != rows:
        raise IndexCorruptError(str(source.parent.parent.parent),
                                f"{source.name} holds {found} rows, not {rows}")
    target.write_bytes(data)


def _append_jsonl(path: Path, rows) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def write_vectors(vectors: np.ndarray, build: Path,
                  before: Path | None = None) -> tuple[int, int]:
    """Write the rows of the `vectors.npy` file `before` (the base build's, if any) and then
    `vectors` as `vectors.npy` and `vector_store.faiss`; returns the rows and dimensions.

    The FAISS file is an `IndexFlatIP` (cosine similarity = inner product on L2-normalised
    vectors; exact search over 50,000 chunks of 512 dimensions takes a few milliseconds),
    the format llama-index's `FaissVectorStore` persists and loads (`rag.search.llama`
    wraps the loaded index in one). Its bytes are written here rather than by faiss: a flat
    index is a 45-byte header and the rows as they are, so the base's rows are copied from
    file to file by the kernel instead of being added to a new index and written again
    (tests check the file equals what `faiss.write_index` writes).
    """
    if before is not None:
        before = np.load(before, mmap_mode="r")  # its `offset` is where its rows start
    dim = vectors.shape[1] if before is None else before.shape[1]
    vectors = vectors.reshape(-1, dim)
    parts = [vectors] if before is None else [before, vectors]
    rows = sum(p.shape[0] for p in parts)
    with (build / "vectors.npy").open("wb") as f:
        np.lib.format.write_array_header_1_0(
            f, {"descr": np.lib.format.dtype_to_descr(np.dtype(np.float32)),
                "fortran_order": False, "shape": (rows, dim)})
        for part in parts:
            _write_rows(f, part)
    with (build / "vector_store.faiss").open("wb") as f:
        # fourcc, d, ntotal, two unused fields, is_trained, metric (0: inner product),
        # then the codes as a vector: its length in floats and the rows' bytes.
        f.write(struct.pack("<4siqqq?iq", b"IxFI", dim, rows, 1 << 20, 1 << 20, True, 0,
                            rows * dim))
        for part in parts:
            _write_rows(f, part)
    return rows, dim


def _write_rows(f: Any, rows: np.ndarray) -> None:
    """Write float32 rows to the open file `f`; the rows of a `.npy` file memory-mapped by
    `np.load` (never a view of one: its `offset` would be its parent's) are copied from
    that file by the kernel."""
    if isinstance(rows, np.memmap) and rows.dtype == np.float32:
        f.flush()
        with open(rows.filename, "rb") as source:
            done, size = 0, rows.nbytes
            while done < size:
                sent = os.sendfile(f.fileno(), source.fileno(), rows.offset + done, size - done)
                if not sent:
                    raise OSError(f"{rows.filename} ended early")
                done += sent
        f.seek(0, os.SEEK_END)
    else:
        f.write(np.ascontiguousarray(rows, dtype=np.float32).data)


def _point_current(index_dir: Path, build: Path) -> None:
    link = index_dir / f".current-{uuid.uuid4().hex[:6]}"
    os.symlink(Path("builds") / build.name, link)
    os.replace(link, index_dir / "current")  # atomic: readers see the old or the new build


def _prune(builds: Path, keep: Path) -> None:
    """Remove older builds and what killed builds left (a reader that already loaded a build
    keeps its memory-mapped vectors even after the files are gone)."""
    for old in builds.iterdir():
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
