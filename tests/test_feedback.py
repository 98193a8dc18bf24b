"""FeedbackStore: votes land in SQLite and 👎 export as evaluation cases."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest

from rag.feedback import FEEDBACK_FILE, FeedbackStore
from rag.types import Answer, Citation


def _answer(text: str = "比武于10月24日举行[1]。", abstained: bool = False) -> Answer:
    cite = Citation(
        n=1,
        article_id="000_901c193272ce665a.txt#7",
        source="000_901c193272ce665a.txt",
        issue=831,
        date="2024-10-29",
        title="石家庄市交管局举行铁骑驾驶技能大比武",
        authors=["郭俊岭"],
        snippet="10月24日，石家庄市公安局交管局举行“决胜2024”铁骑驾驶技能大比武。",
        score=0.9,
    )
    if abstained:
        return Answer(question="q", text="没有找到。", abstained=True, suggestions=[cite])
    return Answer(question="q", text=text, citations=[cite])


def test_record_and_export_only_down(tmp_path):
    store = FeedbackStore.for_index(tmp_path)
    assert store.path == tmp_path / FEEDBACK_FILE
    store.record(1, 10, "铁骑比武哪天？", _answer(), "up")
    row_id = store.record(2, 20, "铁骑比武在哪？", _answer("不知道[1]。"), "down")
    assert row_id == 2

    out = tmp_path / "out" / "cases.jsonl"
    assert store.export_jsonl(out) == 1
    lines = out.read_text(encoding="utf-8").splitlines()
    case = json.loads(lines[0])
    assert set(case) == {"id", "question", "answer", "citations", "vote", "time"}
    assert case["id"] == "feedback-2"
    assert case["question"] == "铁骑比武在哪？"
    assert case["answer"] == "不知道[1]。"
    assert case["vote"] == "down"
    assert case["citations"][0]["issue"] == 831
    assert case["citations"][0]["title"].endswith("大比武")

    assert store.export_jsonl(out, only_down=False) == 2


def test_rows_in_sqlite(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    store.record(7, -100, "问", _answer(abstained=True), "down")
    with sqlite3.connect(tmp_path / "fb.sqlite3") as conn:
        row = conn.execute(
            "SELECT user_id, chat_id, vote, abstained, citations FROM feedback"
        ).fetchone()
    assert row[:4] == (7, -100, "down", 1)
    # An abstained answer keeps the suggestions the user saw.
    assert json.loads(row[4])[0]["article_id"].endswith("#7")


def test_bad_vote_rejected(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    with pytest.raises(ValueError):
        store.record(1, 1, "q", _answer(), "meh")
    assert store.records() == []


def test_reopen_and_threads(tmp_path):
    path = tmp_path / "fb.sqlite3"
    store = FeedbackStore(path)
    threads = [
        threading.Thread(target=store.record, args=(i, i, f"q{i}", _answer(), "down"))
        for i in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(FeedbackStore(path).records(only_down=True)) == 8
