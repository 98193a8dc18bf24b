"""Question answering with citations over the archive of 公安周刊 (CN13-0079).

    from rag import Engine
    engine = Engine.load("index")
    answer = engine.ask("第853期公安周刊是哪天出版的？")
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from rag.errors import (
    CorpusError,
    EmbeddingModelError,
    FilterError,
    IndexCorruptError,
    IndexNotFoundError,
    LLMError,
    ModelMismatchError,
    NotIndexedError,
    QuestionError,
    RagError,
    SettingsError,
)
from rag.settings import Settings
from rag.types import Answer, Article, Chunk, Citation, Issue, Passage

if TYPE_CHECKING:
    from rag.conversation import Conversation
    from rag.engine import Engine
    from rag.feedback import FeedbackStore
    from rag.index.build import add_files, build_index, remove_source

# Imported on first use: the engine pulls in llama-index, FAISS, bm25s and jieba (seconds),
# which `python -m rag --help` or a settings check should not wait for.
_LAZY = {"Conversation": "rag.conversation", "Engine": "rag.engine",
         "FeedbackStore": "rag.feedback", "add_files": "rag.index.build",
         "build_index": "rag.index.build", "remove_source": "rag.index.build"}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'rag' has no attribute {name!r}")


__all__ = [
    "Answer",
    "Article",
    "Chunk",
    "Citation",
    "Conversation",
    "CorpusError",
    "EmbeddingModelError",
    "Engine",
    "FeedbackStore",
    "FilterError",
    "IndexCorruptError",
    "IndexNotFoundError",
    "Issue",
    "LLMError",
    "ModelMismatchError",
    "NotIndexedError",
    "Passage",
    "QuestionError",
    "RagError",
    "Settings",
    "SettingsError",
    "add_files",
    "build_index",
    "remove_source",
]
