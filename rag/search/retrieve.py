"""Hybrid retrieval: BM25 over jieba tokens + dense FAISS search, fused (`rag.search.fusion`).

The engine builds one `HybridSearch` per loaded index and calls `passages()` for each question,
with an optional boolean mask of the chunks that pass the issue or date filters. The same
searches as llama-index retrievers, for llama-index pipelines, are in `rag.search.llama`
(`Engine.retriever()`): importing llama-index takes seconds, which a one-shot ask need not pay.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import faiss
import numpy as np

from rag.index.store import IndexData
from rag.search.fusion import DENSE_WEIGHT, weighted_fusion
from rag.text import tokenize
from rag.types import Passage

# One query at a time is searched: OpenMP threads only add start-up cost (measured 2.7 ms with
# one thread against 3.7 ms with two on 24k vectors), and much more when the other core is busy.
faiss.omp_set_num_threads(1)

Mask = np.ndarray | None


def allowed_rows(data: IndexData, issue: int | None = None, date_from: str | None = None,
                 date_to: str | None = None, source: str | None = None,
                 articles: Collection[str] | None = None) -> Mask:
    """A boolean mask of the chunks that pass the filters, or None when there are none."""
    if issue is None and date_from is None and date_to is None and source is None \
            and articles is None:
        return None
    mask = np.ones(len(data.chunks), dtype=bool)
    if articles is not None:
        kept = np.zeros(len(data.chunks), dtype=bool)
        for article_id in articles:
            kept[data.article_chunks.get(article_id, [])] = True
        mask &= kept
    if issue is not None:
        mask &= data.issue_col == issue
    if source is not None:
        mask &= data.source_col == source
    if date_from or date_to:
        mask &= data.date_col != ""  # undated issues cannot be in any period
        if date_from:
            mask &= data.date_col >= date_from
        if date_to:
            mask &= data.date_col <= date_to
    return mask


#: Passages an answer is chosen from; a search confined to one article of at most WHOLE chunks
#: (~45,000 characters: a long judgment) reads them all.
PASSAGES, WHOLE = 8, 192


def _allowed(data: IndexData, mask: Mask) -> int:
    return len(data.chunks) if mask is None else int(mask.sum())


def reads_whole(data: IndexData, mask: Mask = None) -> bool:
    """True when the search is confined to one article of at most WHOLE chunks (a judgment
    asked about within its issue), which is then read whole: the answer may sit in any part of
    the document. A small issue of several stories is searched like the archive."""
    if not 0 < _allowed(data, mask) <= WHOLE:  # before listing rows: most searches are open
        return False
    rows = range(len(data.chunks)) if mask is None else np.flatnonzero(mask)
    return len({data.chunks[i].article_id for i in rows}) == 1


def answer_passages(data: IndexData, mask: Mask = None) -> int:
    """How many passages to choose an answer from (all of them when `reads_whole`)."""
    return _allowed(data, mask) if reads_whole(data, mask) else PASSAGES


class BM25Search:
    """BM25 (bm25s) over jieba search-mode tokens of each chunk and its headline."""

    def __init__(self, data: IndexData) -> None:
        self._data = data

    def search(self, query: str, k: int, mask: Mask = None) -> list[tuple[int, float]]:
        """(row, score) of the `k` best chunks with a positive score."""
        tokens = tokenize(query)
        n = len(self._data.chunks)
        if not tokens or not n:
            return []
        weights = None if mask is None else mask.astype(np.float32)
        rows, scores = self._data.bm25.retrieve(
            [tokens], k=min(k, n), weight_mask=weights, return_as="tuple", show_progress=False)
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if s > 0]


class DenseSearch:
    """Nearest chunks by cosine similarity: inner product on normalised vectors (IndexFlatIP)."""

    def __init__(self, data: IndexData, encode: Callable[[str], np.ndarray]) -> None:
        self._data, self.encode = data, encode

    def search(self, query: np.ndarray, k: int, mask: Mask = None) -> list[tuple[int, float]]:
        """(row, cosine) of the `k` nearest chunks to the query vector that the mask allows."""
        n = len(self._data.chunks)
        if not n:
            return []
        if mask is None:
            sims, rows = self._data.faiss_index.search(query.reshape(1, -1), min(k, n))
            return [(int(r), float(s)) for r, s in zip(rows[0], sims[0]) if r >= 0]
        # Filtered: exact cosine over the allowed rows only (FAISS has no metadata filter).
        rows = np.flatnonzero(mask)
        sims = np.asarray(self._data.vectors[rows]) @ query
        order = np.argsort(-sims)[:k]
        return [(int(rows[i]), float(sims[i])) for i in order]


class HybridSearch:
    """Weighted score fusion of BM25 and dense candidates (see `rag.search.fusion`)."""

    def __init__(self, data: IndexData, encode: Callable[[str], np.ndarray],
                 candidates: int = 50, dense_weight: float = DENSE_WEIGHT) -> None:
        self.data, self._candidates, self._w = data, candidates, dense_weight
        self.bm25 = BM25Search(data)
        self.dense = DenseSearch(data, encode)

    def fused(self, query: str, k: int, mask: Mask = None, vector: np.ndarray | None = None
              ) -> list[tuple[int, float, float, float]]:
        """(row, fused score, bm25 score, cosine) of the `k` best chunks `mask` allows."""
        if mask is not None and not mask.any():
            return []
        # Each side offers its `_candidates` best, or `k` when more are asked for: a judgment read
        # whole asks for all its chunks, and one that neither side put among its best would be
        # missing (a defendant's header, with his past record, in a judgment of 65 chunks).
        n = max(self._candidates, k)
        sparse = self.bm25.search(query, n, mask)
        vector = self.dense.encode(query) if vector is None else vector
        dense = self.dense.search(np.asarray(vector, dtype=np.float32), n, mask)
        b, d = dict(sparse), dict(dense)
        return [(row, score, b.get(row, 0.0), d.get(row, 0.0))
                for row, score in weighted_fusion(sparse, dense, self._w, k)]

    def passages(self, query: str, k: int, mask: Mask = None) -> list[Passage]:
        """The `k` best passages for `query` among the chunks `mask` allows (all if None)."""
        chunks = self.data.chunks
        return [Passage.of(chunks[row], score, bm25=bm25, cosine=cosine)
                for row, score, bm25, cosine in self.fused(query, k, mask)]
