"""The engine's searches as llama-index retrievers, for llama-index pipelines.

`Engine.retriever()` returns a `HybridRetriever` over the loaded index; `retrieve(QueryBundle)`
gives `NodeWithScore`s whose metadata carry the chunk's fields (issue, date, title, authors…).
"""

from __future__ import annotations

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from rag.index.store import IndexData
from rag.search.fusion import DENSE_WEIGHT
from rag.search.retrieve import BM25Search, HybridSearch
from rag.types import Chunk, Passage


def to_node(chunk: Chunk, row: int, score: float) -> NodeWithScore:
    meta = {k: v for k, v in vars(chunk).items() if k != "text"}
    meta["row"] = row
    return NodeWithScore(node=TextNode(id_=chunk.id, text=chunk.text, metadata=meta), score=score)


def _vector(embed_model: BaseEmbedding, query_bundle: QueryBundle):
    if query_bundle.embedding is None:
        query_bundle.embedding = embed_model.get_query_embedding(query_bundle.query_str)
    return query_bundle.embedding


class BM25Retriever(BaseRetriever):
    """BM25 over jieba tokens (`rag.search.retrieve.BM25Search`)."""

    def __init__(self, data: IndexData, top_k: int = 50) -> None:
        super().__init__()
        self._data, self._top_k, self._search = data, top_k, BM25Search(data)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [to_node(self._data.chunks[r], r, s)
                for r, s in self._search.search(query_bundle.query_str, self._top_k)]


class DenseRetriever(BaseRetriever):
    """Cosine nearest chunks through llama-index's FAISS vector store over the loaded index."""

    def __init__(self, data: IndexData, embed_model: BaseEmbedding, top_k: int = 50) -> None:
        from llama_index.vector_stores.faiss import FaissVectorStore

        super().__init__()
        self._data, self._embed, self._top_k = data, embed_model, top_k
        self._store = FaissVectorStore(faiss_index=data.faiss_index)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        from llama_index.core.vector_stores.types import VectorStoreQuery

        if not self._data.chunks:
            return []
        result = self._store.query(VectorStoreQuery(
            query_embedding=list(_vector(self._embed, query_bundle)),
            similarity_top_k=min(self._top_k, len(self._data.chunks))))
        return [to_node(self._data.chunks[int(i)], int(i), float(s))
                for i, s in zip(result.ids, result.similarities) if int(i) >= 0]


class HybridRetriever(BaseRetriever):
    """BM25 and dense fused as the engine fuses them (`rag.search.retrieve.HybridSearch`)."""

    def __init__(self, data: IndexData, embed_model: BaseEmbedding, top_k: int = 10,
                 candidates: int = 50, dense_weight: float = DENSE_WEIGHT) -> None:
        super().__init__()
        self._embed, self._top_k = embed_model, top_k
        self.search = HybridSearch(data, lambda q: _vector(embed_model, QueryBundle(q)),
                                   candidates, dense_weight)

    def passages(self, query: str, k: int, mask=None) -> list[Passage]:
        return self.search.passages(query, k, mask)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        vector = _vector(self._embed, query_bundle)
        return [to_node(self.search.data.chunks[row], row, score) for row, score, _, _ in
                self.search.fused(query_bundle.query_str, self._top_k, vector=vector)]
