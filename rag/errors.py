"""Errors the library raises. Each message says what to do next.

The CLI and the bot print ``str(error)`` as a one-line message; they never show a traceback.
"""


class RagError(Exception):
    """Base class for every error this library raises on purpose."""


class CorpusError(RagError):
    """The corpus folder is missing, empty, or holds no readable issue."""


class NotIndexedError(CorpusError):
    """An issue or file asked to be removed is not in the index, or names several files.

    `target` is what was asked for (a file name, 第856期); `matches` the files it names when
    there are several, so that the bot can say it in its users' language."""

    def __init__(self, target: str, matches: list[str] | None = None) -> None:
        self.target, self.matches = target, list(matches or [])
        if self.matches:
            super().__init__(f"{target} matches {len(self.matches)} files "
                             f"({', '.join(self.matches)}): remove one by its name as "
                             "`python -m rag stats` lists it")
        else:
            super().__init__(f"{target} is not in the index: `python -m rag stats` lists the "
                             "indexed issues and files")


class IndexNotFoundError(RagError):
    """No index at the given folder."""

    def __init__(self, index_dir: str, is_file: bool = False) -> None:
        what = f"{index_dir} is a file, not an index folder" if is_file \
            else f"no index at {index_dir}"
        super().__init__(
            f"{what}: run `python -m rag build --index DIR` to build one in a folder DIR"
            if is_file else
            f"{what}: run `python -m rag build --index {index_dir}` to build one"
        )


class IndexCorruptError(RagError):
    """The index folder exists but cannot be read (truncated, half-written, edited by hand)."""

    def __init__(self, index_dir: str, detail: str) -> None:
        super().__init__(
            f"index at {index_dir} is damaged ({detail}): "
            f"run `python -m rag build --index {index_dir}` to rebuild it"
        )


class ModelMismatchError(RagError):
    """The index was built with another embedding model than the one configured."""

    def __init__(self, index_dir: str, built_with: str, configured: str) -> None:
        super().__init__(
            f"index at {index_dir} was built with embedding model {built_with!r}, "
            f"settings say {configured!r}: run `python -m rag build --index {index_dir}` "
            f"to rebuild it, or set EMBED_MODEL={built_with}"
        )


class EmbeddingModelError(RagError):
    """The configured embedding model cannot be loaded."""


class QuestionError(RagError):
    """The question is empty, too long, or not text."""


class LLMError(RagError):
    """The optional LLM endpoint failed; callers fall back to the extractive answer."""


class SettingsError(RagError):
    """A setting (environment variable or `.env` line) has a value it cannot take."""


class FilterError(RagError):
    """A search filter is malformed: a date that is not YYYY-MM-DD, or k below 1."""


class AnswerModelError(RagError):
    """The answer-selection or refusal model files are missing or cannot be read."""

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(f"answer model at {path} is missing or damaged ({detail}): "
                         "run `python -m rag train` to rebuild it")
