"""Embedding many chunks at once, on every core.

The default model, USE, runs in numpy with one BLAS thread per process, and its tokenizer is
pure Python: more BLAS threads do not help (the GIL-bound tokenizer dominates) and slow
short queries down. A build therefore embeds in one forked worker per core, each with the
model the parent already loaded (fork copies it, so workers start at once). Other models
(sentence-transformers on torch) already use every core inside one process.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from tqdm import tqdm

from rag.index.embed import USE_NAMES, load_embedder
from rag.index.loaders import use_model
from rag.settings import Settings

logger = logging.getLogger(__name__)

#: Below this many texts a worker pool costs more than it saves.
MIN_PARALLEL_TEXTS = 256

_worker_model: Any = None  # set in the parent just before forking; workers inherit it


def _embed_batch(texts: list[str]) -> np.ndarray:
    return _encode(_worker_model, texts)


def _encode(model: Any, texts: list[str]) -> np.ndarray:
    # USE is used bare (no llama-index import: seconds saved on every `rag add`); other
    # models through their llama-index `BaseEmbedding`.
    if hasattr(model, "get_text_embedding_batch"):
        return np.asarray(model.get_text_embedding_batch(texts), dtype=np.float32)
    return np.asarray(model.encode(list(texts)), dtype=np.float32).reshape(len(texts), -1)


def worker_count(settings: Settings, n_texts: int) -> int:
    """How many processes embed `n_texts`: one per available core for USE, when forking is
    safe (no other thread could hold a lock the child would inherit), else one."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if settings.embed_model not in USE_NAMES or n_texts < MIN_PARALLEL_TEXTS or (cores or 1) < 2:
        return 1
    # tqdm's monitor thread only sleeps and refreshes bars: forking beside it is safe.
    others = [t for t in threading.enumerate()
              if t is not threading.main_thread() and t.name != "tqdm_monitor"]
    if others or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return min(cores or 1, max(1, n_texts // (MIN_PARALLEL_TEXTS // 2)))


def embed_texts(texts: list[str], settings: Settings, show_progress: bool = False) -> np.ndarray:
    """L2-normalised float32 vectors of `texts`, one row each, in order.

    Raises:
        EmbeddingModelError: the embedding model cannot be loaded.
    """
    global _worker_model
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    embedder = use_model() if settings.embed_model in USE_NAMES else load_embedder(settings)
    size = max(1, settings.embed_batch_size)
    batches = [texts[i:i + size] for i in range(0, len(texts), size)]
    workers = worker_count(settings, len(texts))
    bar = tqdm(total=len(texts), desc="embed", unit="chunk", disable=not show_progress)
    parts: list[np.ndarray] = []
    if workers > 1:
        logger.info("embedding %d chunks in %d processes", len(texts), workers)
        _worker_model = embedder
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for vectors in pool.imap(_embed_batch, batches):
                    parts.append(vectors)
                    bar.update(len(vectors))
        finally:
            _worker_model = None
    else:
        for batch in batches:
            parts.append(_encode(embedder, batch))
            bar.update(len(batch))
    bar.close()
    vectors = np.concatenate(parts).astype(np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


def embed_soon(texts: list[str], settings: Settings,
               show_progress: bool = False) -> Callable[[], np.ndarray]:
    """Start embedding `texts`; the function returned waits for their vectors (and raises
    what `embed_texts` raises).

    A few texts (an issue or two) are embedded in a thread while the caller goes on writing
    the build: loading USE (~0.8 s, mostly zlib and numpy, which release the GIL) and
    embedding then overlap that work instead of adding to it. Many texts are embedded when
    asked for, in one process per core (`embed_texts`), which a thread beside them would rule
    out; their embedding dwarfs the rest anyway.
    """
    if len(texts) >= MIN_PARALLEL_TEXTS:
        return lambda: embed_texts(texts, settings, show_progress)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed")
    future = pool.submit(embed_texts, texts, settings, False)
    pool.shutdown(wait=False)  # the thread ends with its one task
    return future.result
