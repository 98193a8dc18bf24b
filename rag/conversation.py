"""A conversation with the engine: the last turns for follow-ups and the issue it is about.

One `Conversation` per person (a terminal session, a Telegram chat). The CLI's `chat` and the
bot both keep theirs here, so a follow-up means the same in both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.engine import Engine
from rag.types import Answer

#: (question, answer) turns passed back to the engine: enough for "那…呢？" chains, few enough
#: that an old subject does not leak into a new question.
WINDOW = 3


@dataclass
class Conversation:
    """Questions asked in one conversation, oldest first, up to `window` turns."""

    engine: Engine
    channel: str = "api"
    user_id: int | None = None
    window: int = WINDOW
    history: list[tuple[str, str]] = field(default_factory=list)
    current_issue: int | None = None  # what 本期 and 上期 refer to

    def ask(self, question: str) -> Answer:
        """Ask in the context of the earlier turns, and remember this one."""
        answer = self.engine.ask(question, history=list(self.history),
                                 current_issue=self.current_issue, user_id=self.user_id,
                                 channel=self.channel)
        self.remember(answer)
        return answer

    def remember(self, answer: Answer) -> None:
        # The standalone query, not the raw words: a chain of follow-ups keeps its subject.
        self.history = (self.history + [(answer.query or answer.question, answer.text)])[
            -self.window:]
        if answer.citations and not answer.abstained:
            self.current_issue = answer.citations[0].issue or self.current_issue

    def reset(self) -> None:
        """Forget everything: the next question starts a new conversation."""
        self.history.clear()
        self.current_issue = None
