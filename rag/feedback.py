"""Feedback on answers (👍 / 👎), kept in SQLite beside the index.

Usage::

    from rag.feedback import FeedbackStore

    store = FeedbackStore.for_index("index")          # index/feedback.sqlite3
    store.record(user_id, chat_id, question, answer, "down")
    n = store.export_jsonl("cases.jsonl")             # 👎 records as evaluation cases

Each exported line is one evaluation case::

    {"id": "feedback-12", "question": "...", "answer": "...",
     "citations": [{"n": 1, "article_id": "...", "issue": 831, ...}],
     "vote": "down", "time": "2024-10-29T08:00:00+00:00"}

Every call opens its own connection, so a store may be used from several threads
(the bot records votes from its event loop while /reindex runs in a worker thread).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from rag.types import Answer

#: File name of the store inside the index folder.
FEEDBACK_FILE = "feedback.sqlite3"

VOTES = ("up", "down")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    user_id INTEGER,
    chat_id INTEGER,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    abstained INTEGER NOT NULL DEFAULT 0,
    mode TEXT NOT NULL DEFAULT '',
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    answer_json TEXT NOT NULL
)
"""


class FeedbackStore:
    """Votes on answers with the question, the answer text and its citations."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute(_SCHEMA)

    @classmethod
    def for_index(cls, index_dir: str | Path) -> FeedbackStore:
        """The store that lives beside the index in `index_dir`."""
        return cls(Path(index_dir) / FEEDBACK_FILE)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # A busy timeout, because /reindex or an export may hold the file for a moment.
        conn = sqlite3.connect(self.path, timeout=10)
        conn.row_factory = sqlite3.Row
        try:
            with conn:  # commits on success, rolls back on error
                yield conn
        finally:
            conn.close()

    def record(
        self, user_id: int | None, chat_id: int | None, question: str, answer: Answer, vote: str
    ) -> int:
        """Store one vote ("up" or "down") on `answer`; return the new row id."""
        if vote not in VOTES:
            raise ValueError(f"vote must be 'up' or 'down', not {vote!r}")
        citations = answer.suggestions if answer.abstained else answer.citations
        row = (
            datetime.now(UTC).isoformat(timespec="seconds"),
            user_id,
            chat_id,
            question,
            answer.text,
            json.dumps([asdict(c) for c in citations], ensure_ascii=False),
            int(answer.abstained),
            answer.mode,
            vote,
            json.dumps(asdict(answer), ensure_ascii=False),
        )
        with self._connect() as conn:
            cur = conn.execute(
                "INSERT INTO feedback (time, user_id, chat_id, question, answer, citations,"
                " abstained, mode, vote, answer_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cur.lastrowid or 0)

    def records(self, only_down: bool = False) -> list[dict]:
        """All stored votes, oldest first, as evaluation cases (see the module docstring)."""
        query = "SELECT id, time, question, answer, citations, vote FROM feedback"
        if only_down:
            query += " WHERE vote = 'down'"
        with self._connect() as conn:
            rows = conn.execute(query + " ORDER BY id").fetchall()
        return [
            {
                "id": f"feedback-{r['id']}",
                "question": r["question"],
                "answer": r["answer"],
                "citations": json.loads(r["citations"]),
                "vote": r["vote"],
                "time": r["time"],
            }
            for r in rows
        ]

    def export_jsonl(self, path_out: str | Path, only_down: bool = True) -> int:
        """Write votes (by default only 👎) to `path_out`, one JSON case a line; return the count.

        For an abstained answer, "citations" holds the suggested articles, since those are
        what the user saw.
        """
        cases = self.records(only_down=only_down)
        out = Path(path_out)
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8") as fh:
            for case in cases:
                fh.write(json.dumps(case, ensure_ascii=False) + "\n")
        return len(cases)
