"""Question answering with citations over the archive of 公安周刊 (CN13-0079).

    from rag import Engine
    engine = Engine.load("index")
    answer = engine.ask("第853期公安周刊是哪天出版的？")
"""

from rag.conversation import Conversation
from rag.engine import Engine
from rag.errors import (
    CorpusError,
    EmbeddingModelError,
    IndexCorruptError,
    IndexNotFoundError,
    LLMError,
    ModelMismatchError,
    QuestionError,
    RagError,
)
from rag.feedback import FeedbackStore
from rag.index.build import add_files, build_index, remove_source
from rag.settings import Settings
from rag.types import Answer, Article, Chunk, Citation, Issue, Passage

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
    "IndexCorruptError",
    "IndexNotFoundError",
    "Issue",
    "LLMError",
    "ModelMismatchError",
    "Passage",
    "QuestionError",
    "RagError",
    "Settings",
    "add_files",
    "build_index",
    "remove_source",
]
