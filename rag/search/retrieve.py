"""Hybrid retrieval as llama-index retrievers: BM25 over jieba tokens + dense FAISS, fused.

The engine builds one `HybridRetriever` per loaded index and calls `passages()` for each
question, with an optional boolean mask of the chunks that pass the issue or date filters.
`retrieve(QueryBundle)` (llama-index's entry point) is the same search without a filter.
"""

from __future__ import annotations

import faiss
import numpy as np
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from llama_index.core.vector_stores.types import VectorStoreQuery

from rag.index.store import IndexData
from rag.search.fusion import DENSE_WEIGHT, weighted_fusion
from rag.text import tokenize
from rag.types import Chunk, Passage

# One query at a time is searched: OpenMP threads only add start-up cost (measured 2.7 ms with
# one thread against 3.7 ms with two on 24k vectors), and much more when the other core is busy.
faiss.omp_set_num_threads(1)

Mask = np.ndarray | None


def to_node(chunk: Chunk, row: int, score: float) -> NodeWithScore:
    meta = {k: v for k, v in vars(chunk).items() if k != "text"}
    meta["row"] = row
    return NodeWithScore(node=TextNode(id_=chunk.id, text=chunk.text, metadata=meta), score=score)


def allowed_rows(data: IndexData, issue: int | None = None, date_from: str | None = None,
                 date_to: str | None = None, source: str | None = None) -> Mask:
    """A boolean mask of the chunks that pass the filters, or None when there are none."""
    if issue is None and date_from is None and date_to is None and source is None:
        return None
    mask = np.ones(len(data.chunks), dtype=bool)
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


class BM25Retriever(BaseRetriever):
    """BM25 (bm25s) over jieba search-mode tokens of each chunk and its headline."""

    def __init__(self, data: IndexData, top_k: int = 50):
        super().__init__()
        self._data, self._top_k = data, top_k

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

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [to_node(self._data.chunks[r], r, s)
                for r, s in self.search(query_bundle.query_str, self._top_k)]


class DenseRetriever(BaseRetriever):
    """Nearest chunks by cosine similarity, through llama-index's FAISS vector store."""

    def __init__(self, data: IndexData, embed_model: BaseEmbedding, top_k: int = 50):
        super().__init__()
        self._data, self._embed, self._top_k = data, embed_model, top_k

    def embed(self, query_bundle: QueryBundle) -> np.ndarray:
        if query_bundle.embedding is None:
            query_bundle.embedding = self._embed.get_query_embedding(query_bundle.query_str)
        return np.asarray(query_bundle.embedding, dtype=np.float32)

    def search(self, query_bundle: QueryBundle, k: int, mask: Mask = None
               ) -> list[tuple[int, float]]:
        """(row, cosine) of the `k` nearest chunks among those the mask allows."""
        if not self._data.chunks:
            return []
        query = self.embed(query_bundle)
        if mask is None:
            result = self._data.vector_store.query(VectorStoreQuery(
                query_embedding=query.tolist(), similarity_top_k=min(k, len(self._data.chunks))))
            return [(int(i), float(s)) for i, s in zip(result.ids, result.similarities)
                    if int(i) >= 0]
        # Filtered: exact cosine over the allowed rows only (FAISS has no metadata filter).
        rows = np.flatnonzero(mask)
        sims = np.asarray(self._data.vectors[rows]) @ query
        order = np.argsort(-sims)[:k]
        return [(int(rows[i]), float(sims[i])) for i in order]

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [to_node(self._data.chunks[r], r, s)
                for r, s in self.search(query_bundle, self._top_k)]


class HybridRetriever(BaseRetriever):
    """Weighted score fusion of BM25 and dense candidates (see `rag.search.fusion`)."""

    def __init__(self, data: IndexData, embed_model: BaseEmbedding, top_k: int = 10,
                 candidates: int = 50, dense_weight: float = DENSE_WEIGHT):
        super().__init__()
        self._data, self._top_k, self._candidates, self._w = data, top_k, candidates, dense_weight
        self.bm25 = BM25Retriever(data, candidates)
        self.dense = DenseRetriever(data, embed_model, candidates)

    def fused(self, query: str, k: int, mask: Mask = None
              ) -> list[tuple[int, float, float, float]]:
        """(row, fused score, bm25 score, cosine) of the `k` best chunks `mask` allows."""
        if mask is not None and not mask.any():
            return []
        sparse = self.bm25.search(query, self._candidates, mask)
        dense = self.dense.search(QueryBundle(query), self._candidates, mask)
        b, d = dict(sparse), dict(dense)
        return [(row, score, b.get(row, 0.0), d.get(row, 0.0))
                for row, score in weighted_fusion(sparse, dense, self._w, k)]

    def passages(self, query: str, k: int, mask: Mask = None) -> list[Passage]:
        """The `k` best passages for `query` among the chunks `mask` allows (all if None)."""
        chunks = self._data.chunks
        return [Passage.of(chunks[row], score, bm25=bm25, cosine=cosine)
                for row, score, bm25, cosine in self.fused(query, k, mask)]

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [to_node(self._data.chunks[row], row, score)
                for row, score, _, _ in self.fused(query_bundle.query_str, self._top_k)]
