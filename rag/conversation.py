"""A conversation with the engine: the last turns for follow-ups and the issue it is about.

One `Conversation` per person (a terminal session, a Telegram chat). The CLI's `chat` and the
bot both keep theirs here, so a follow-up means the same in both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from rag.engine import Engine
from rag.types import Answer, Citation

#: (question, answer) turns passed back to the engine: enough for "那…呢？" chains, few enough
#: that an old subject does not leak into a new question.
WINDOW = 3

_WHICH_ISSUE = re.compile(r"第几期|哪一?期")
# What a "which issue was that?" follow-up may hold besides the question word: pointing words
# (那/这/它), the thing pointed at (文章/报道), verbs of publishing, particles, punctuation.
_POINTING = re.compile(r"[那这它该此其篇条则个是在的了呢吗呀啊么出自登刊发表载于上面刚才内容"
                       r"文章报道消息新闻这些那些？?。！!，,\s]")


def asks_which_issue(question: str) -> bool:
    """"那是第几期？", "这篇文章登在哪一期？": a question about the previous answer's issue,
    with no subject of its own (which "铁骑大比武是第几期报道的？" has)."""
    found = _WHICH_ISSUE.search(question)
    return bool(found) and not _POINTING.sub("", _WHICH_ISSUE.sub("", question))


def which_issue_answer(question: str, cited: Citation) -> Answer:
    """The issue of the previous answer's first citation, cited again."""
    if cited.issue is not None:
        when = f"（{cited.date}）" if cited.date else ""
        where = f"第{cited.issue}期公安周刊{when}"
    else:
        where = f"期号不详的一期（文件 {cited.source}）"
    return Answer(question=question, query=question, mode="metadata",
                  citations=[replace(cited, n=1)], text=f"那是{where}，《{cited.title}》。[1]")


@dataclass
class Conversation:
    """Questions asked in one conversation, oldest first, up to `window` turns."""

    engine: Engine
    channel: str = "api"
    user_id: int | None = None
    window: int = WINDOW
    history: list[tuple[str, str]] = field(default_factory=list)
    current_issue: int | None = None  # what 本期 and 上期 refer to
    cited: Citation | None = None  # the last answer's first citation, for "那是第几期？"

    def ask(self, question: str) -> Answer:
        """Ask in the context of the earlier turns, and remember this one."""
        if self.cited is not None and asks_which_issue(question):
            return which_issue_answer(question, self.cited)
        answer = self.engine.ask(question, history=list(self.history),
                                 current_issue=self.current_issue, user_id=self.user_id,
                                 channel=self.channel)
        self.remember(answer)
        return answer

    def remember(self, answer: Answer) -> None:
        if answer.mode == "chat":  # "谢谢" between two questions does not change the subject
            return
        # The standalone query, not the raw words: a chain of follow-ups keeps its subject.
        self.history = (self.history + [(answer.query or answer.question, answer.text)])[
            -self.window:]
        if answer.citations and not answer.abstained:
            self.current_issue = answer.citations[0].issue or self.current_issue
            self.cited = answer.citations[0]

    def reset(self) -> None:
        """Forget everything: the next question starts a new conversation."""
        self.history.clear()
        self.current_issue = None
        self.cited = None
