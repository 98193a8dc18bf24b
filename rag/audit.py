"""Optional audit log: with QUERY_LOG set, every question asked is recorded in SQLite."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from pathlib import Path

from rag.types import Answer

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS queries (
    id INTEGER PRIMARY KEY,
    time TEXT NOT NULL,
    user_id INTEGER,
    channel TEXT,
    question TEXT NOT NULL,
    answer TEXT,
    citations TEXT,
    abstained INTEGER,
    latency_ms REAL
)
"""


class QueryLog:
    """Append-only log of questions, answers and their citations, safe across threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def record(self, answer: Answer, latency_ms: float, user_id: int | None = None,
               channel: str = "") -> None:
        citations = [{"n": c.n, "issue": c.issue, "date": c.date, "source": c.source,
                      "title": c.title} for c in answer.citations]
        row = (time.strftime("%Y-%m-%dT%H:%M:%S%z"), user_id, channel, answer.question,
               answer.text, json.dumps(citations, ensure_ascii=False), int(answer.abstained),
               round(latency_ms, 1))
        try:
            with self._lock, self._connect() as db:
                db.execute("INSERT INTO queries (time, user_id, channel, question, answer, "
                           "citations, abstained, latency_ms) VALUES (?,?,?,?,?,?,?,?)", row)
        except sqlite3.Error:  # the audit log must never cost a user their answer
            logger.exception("could not write the query log %s", self.path)

    def rows(self) -> list[dict]:
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM queries ORDER BY id")]
