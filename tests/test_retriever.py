"""The engine's search as a llama-index retriever gives what `Engine.search` gives."""

from __future__ import annotations

import subprocess
import sys

from llama_index.core.schema import NodeWithScore, QueryBundle


def test_llama_index_retriever_matches_the_engine_search(engine):
    nodes = engine.retriever(5).retrieve(QueryBundle("铁骑驾驶技能大比武"))
    passages = engine.search("铁骑驾驶技能大比武", k=5)
    assert nodes and all(isinstance(n, NodeWithScore) for n in nodes)
    assert [n.node.node_id for n in nodes] == [p.id for p in passages]
    assert nodes[0].node.metadata["issue"] == 831 and "铁骑" in nodes[0].node.metadata["title"]


def test_asking_does_not_import_llama_index(sample_index):
    """A one-shot ask pays no llama-index import (seconds): the engine searches without it."""
    code = ("import sys; from rag import Engine; "
            f"Engine.load({str(sample_index)!r}).ask('铁骑驾驶技能大比武是哪天举行的？'); "
            "print(sorted(m for m in sys.modules if m.startswith(('llama_index', 'lightgbm'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
