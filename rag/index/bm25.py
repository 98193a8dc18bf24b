"""BM25 from stored term counts, so adding an issue updates BM25 instead of rebuilding it.

bm25s has no incremental add and its `index()` counts tokens in Python (3 s over 10,000
chunks here). Every BM25 score depends on the whole corpus (IDF, average length), so an add
must recompute them all, but from counts that is a few vectorised numpy operations: each
build keeps its chunk × token count matrix (`counts.npz`, rows = chunks) and an add counts
only the new chunks' tokens and appends rows. The scores are bm25s's default ("lucene":
idf = ln(1 + (N - df + 0.5) / (df + 0.5)), k1 = 1.5, b = 0.75), written as a bm25s index
that `bm25s.BM25.load` reads back; tests check they equal `bm25s.BM25().index(tokens)`.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import scipy.sparse as sp

K1, B = 1.5, 0.75
COUNTS = "counts.npz"


def count_tokens(tokens: list[list[str]], vocab: dict[str, int]) -> sp.csr_matrix:
    """Chunk × token counts of `tokens`; new tokens are appended to `vocab` (edited in place)."""
    rows: list[int] = []
    cols: list[int] = []
    for row, doc in enumerate(tokens):
        for token in doc:
            col = vocab.get(token)
            if col is None:
                col = vocab[token] = len(vocab)
            rows.append(row)
            cols.append(col)
    counts = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                           shape=(len(tokens), len(vocab)))
    counts.sum_duplicates()
    return counts


def append_rows(counts: sp.csr_matrix, new: sp.csr_matrix, width: int) -> sp.csr_matrix:
    """Stack two count matrices whose columns follow the same (grown) vocabulary."""
    # Row-major storage: appending rows is appending to the three arrays.
    return sp.csr_matrix((np.concatenate([counts.data, new.data]),
                          np.concatenate([counts.indices, new.indices]),
                          np.concatenate([counts.indptr, new.indptr[1:] + counts.nnz])),
                         shape=(counts.shape[0] + new.shape[0], width))


def doc_freqs(counts: sp.csr_matrix, vocab: dict[str, int]) -> dict[str, int]:
    """How many chunks hold each token (tokens no chunk holds any more are left out)."""
    df = np.bincount(counts.indices, minlength=len(vocab))
    return {token: int(df[col]) for token, col in vocab.items() if df[col]}


def bm25_index(counts: sp.csr_matrix, vocab: dict[str, int]):
    """A bm25s index equal to what `bm25s.BM25().index(tokens)` builds from the same tokens."""
    import bm25s

    by_token = counts.tocsc()
    n = by_token.shape[0]
    lengths = np.asarray(counts.sum(axis=1)).ravel()
    average = lengths.mean() if n else 1.0
    df = np.diff(by_token.indptr)
    idf = np.log1p((n - df + 0.5) / (df + 0.5))
    cols = np.repeat(np.arange(by_token.shape[1]), df)
    rows, tf = by_token.indices, by_token.data
    scores = idf[cols] * tf / (K1 * ((1 - B) + B * lengths[rows] / average) + tf)
    bm25 = bm25s.BM25(k1=K1, b=B)
    bm25.scores = {"data": scores.astype(np.float32), "indices": rows.astype(np.int32),
                   "indptr": by_token.indptr.astype(np.int32), "num_docs": n}
    bm25.vocab_dict = dict(vocab)
    bm25.unique_token_ids_set = set(vocab.values())
    bm25.nonoccurrence_array = None
    return bm25


def save_counts(path: Path, counts: sp.csr_matrix) -> None:
    sp.save_npz(path, counts, compressed=False)


def load_counts(build: Path) -> tuple[sp.csr_matrix | None, dict[str, int]]:
    """A build's counts and their vocabulary (the one its bm25s index was saved with), or
    (None, {}) for a build written before counts were kept."""
    if not (build / COUNTS).is_file():
        return None, {}
    vocab = json.loads((build / "bm25" / "vocab.index.json").read_text(encoding="utf-8"))
    return sp.load_npz(build / COUNTS).tocsr(), vocab
