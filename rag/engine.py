"""`Engine`: load an index once, then search and ask. One object serves the CLI and the bot."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from rag.answer import catalog
from rag.answer.extract import Answerer
from rag.answer.llm import LLMAnswerer, llm_enabled, renumber
from rag.answer.smalltalk import smalltalk_reply
from rag.audit import QueryLog
from rag.errors import QuestionError
from rag.index.embed import canonical_name, query_encoder
from rag.index.store import IndexData, load_index, resolve_build
from rag.search.asks import asks_byline_only, topic_of
from rag.search.filters import check_filters
from rag.search.followup import harvest_terms, rewrite
from rag.search.refs import Refs, matching_issues, resolve_refs
from rag.search.retrieve import HybridSearch, allowed_rows, answer_passages, reads_whole
from rag.settings import Settings
from rag.text import QUESTION_WORD, as_asked, has_cjk, normalize
from rag.types import Answer, Article, Citation, Issue, Passage

logger = logging.getLogger(__name__)

_RELOAD_CHECK_S = 2.0  # how often a long-lived engine looks for a newer build
# "2024年10月关于铁骑的报道" filters by publication date; "2024年河北有多少派出所…" asks about
# events of 2024, reported whenever: a date filters only when the question is about the paper.
# A year or month in a question filters by issue date only when the question is about the
# paper; "期" counts as the paper's issue (第831期, 那期) but not inside 时期, 初期, 期间.
_ABOUT_THE_PAPER = re.compile(r"报道|文章|稿件|刊登|刊发|刊载|发表|登载|周刊|本刊|报纸|见报|新闻|讲了|"
                              r"写了|说了什么|(?:第\s*[0-9一二三四五六七八九十百千零两]+|本|上|这|那|"
                              r"该|同|哪|每|一)期(?![间限货待望末初中])")


class Engine:
    """Question answering over one index folder.

    >>> engine = Engine.load("index")
    >>> engine.ask("石家庄市交管局的铁骑驾驶技能大比武是哪天举行的？").text
    """

    def __init__(self, index_dir: Path, data: IndexData, settings: Settings,
                 encode: Callable[[str], np.ndarray]) -> None:
        self.index_dir = index_dir
        self.settings = settings
        self._encode = encode  # question → vector
        self._lock = threading.Lock()
        self._checked = time.monotonic()
        self._audit = QueryLog(settings.query_log) if settings.query_log else None
        self._use(data)

    @classmethod
    def load(cls, index_dir: str | Path | None = None, settings: Settings | None = None) -> Engine:
        """Load the index at `index_dir` (default: settings.index_dir).

        Raises:
            IndexNotFoundError, IndexCorruptError: build the index (`python -m rag build`).
            ModelMismatchError: the index was built with another embedding model.
        """
        settings = settings or Settings.from_env()
        index_dir = Path(index_dir or settings.index_dir)
        data = load_index(index_dir, model=canonical_name(settings.embed_model))
        engine = cls(index_dir, data, settings, query_encoder(settings))
        engine._warm_up()
        return engine

    def _use(self, data: IndexData) -> None:
        # Swapped as one reference so that a question in flight keeps a consistent index;
        # the retrievers and the answerer are built once per loaded build.
        self._state = (data, Answerer(data, refusal_rate=self.settings.refusal_rate,
                                              named_rate=self.settings.named_refusal_rate),
                       HybridSearch(data, self._encode))
        self._issue_refs = [(i.number, i.date) for i in data.issues]
        self._bylines = catalog.Bylines(data.articles.values())
        self._vocabulary: set[str] | None = None  # quoted names, built on the first follow-up
        self._llm = LLMAnswerer(self.settings) if llm_enabled(self.settings) else None

    def _terms(self) -> set[str]:
        if self._vocabulary is None:
            self._vocabulary = harvest_terms(c.text for c in self.data.chunks)
        return self._vocabulary

    def _warm_up(self) -> None:
        """Pay one-off costs (jieba dictionary, model weights) at load, not on the first user."""
        _, answerer, retriever = self._state
        answerer.answer("公安机关开展工作情况", retriever.passages("公安机关开展工作情况", 3))

    @property
    def data(self) -> IndexData:
        return self._state[0]

    def reload(self) -> bool:
        """Switch to a newer build of the index folder, if one finished. True if it switched."""
        with self._lock:
            self._checked = time.monotonic()
            try:
                if resolve_build(self.index_dir) == self.data.path:
                    return False
                data = load_index(self.index_dir)
            except Exception:  # a half-visible rebuild: keep serving the build we have
                logger.exception("reload of %s failed; keeping the loaded build", self.index_dir)
                return False
            if data.manifest.get("model") != self.data.manifest.get("model"):
                logger.error("new build of %s uses model %s; keeping %s", self.index_dir,
                             data.manifest.get("model"), self.data.manifest.get("model"))
                return False
            self._use(data)
            logger.info("switched to build %s", data.path.name)
            return True

    def _maybe_reload(self) -> None:
        if time.monotonic() - self._checked > _RELOAD_CHECK_S:
            self.reload()

    def check_question(self, question: str) -> str:
        """Normalise a question, or raise QuestionError saying what is wrong with it."""
        if not isinstance(question, str) or not question.strip():
            raise QuestionError("问题是空的：请输入要查询的内容，例如“第831期有哪些文章？”")
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise QuestionError(f"问题太长（{len(question)} 字，上限 {limit} 字）：请缩短后再问")
        # Matched in simplified characters: a question typed in traditional ones finds the
        # same articles (answers still quote the text as printed).
        question = as_asked(question)
        if not has_cjk(question) and not any(ch.isalnum() for ch in question):
            raise QuestionError("问题里没有可检索的文字：请用中文提问")
        return question

    def search(self, question: str, k: int = 5, issue: int | None = None,
               date_from: str | None = None, date_to: str | None = None,
               source: str | None = None) -> list[Passage]:
        """The `k` best passages for a question, optionally within an issue or a date range.

        Without explicit filters, an issue or period named in the question (第831期, 上期,
        2024年10月) becomes the filter.

        Raises:
            QuestionError: the question is empty, too long or has nothing to search for.
            FilterError: k is below 1, or a date is not YYYY-MM-DD.
        """
        check_filters(k, date_from, date_to)
        question = self.check_question(question)
        self._maybe_reload()
        data, _, retriever = self._state
        query = question
        if issue is None and date_from is None and date_to is None and source is None:
            refs = self._refs(question)
            issue, date_from, date_to = refs.issue, refs.date_from, refs.date_to
            query = refs.cleaned or question
        return retriever.passages(query, k, allowed_rows(data, issue, date_from, date_to, source))

    def retriever(self, top_k: int = 10):
        """The engine's hybrid search as a llama-index retriever, for llama-index pipelines.

        >>> nodes = engine.retriever(5).retrieve("铁骑 大比武")
        """
        from rag.index.embed import load_embedder
        from rag.search.llama import HybridRetriever

        return HybridRetriever(self.data, load_embedder(self.settings), top_k=top_k)

    def _refs(self, query: str, current_issue: int | None = None) -> Refs:
        refs = resolve_refs(query, self._issue_refs, current_issue=current_issue)
        if refs.issue is None and refs.date_from and not refs.asks_contents \
                and not _ABOUT_THE_PAPER.search(query):
            refs.date_from = refs.date_to = None
            refs.cleaned = query
        return refs

    def ask(self, question: str, history: list[tuple[str, str]] | None = None,
            issue: int | None = None, date_from: str | None = None,
            date_to: str | None = None, current_issue: int | None = None,
            user_id: int | None = None, channel: str = "api") -> Answer:
        """Answer a question from the paper, with [n] marks resolved in `Answer.citations`.

        Args:
            history: earlier (query, answer) turns of the conversation, oldest first; store
                each turn's `Answer.query` so a chain of follow-ups keeps its subject.
            issue, date_from, date_to: explicit filters; by default the question's own
                references (第831期, 上期, 2024年10月) are used.
            current_issue: the issue the conversation is about, for 本期 and 上期.
            user_id, channel: who asked and through what, for the QUERY_LOG audit log.
        """
        started = time.perf_counter()
        check_filters(None, date_from, date_to)
        asked = question
        question = self.check_question(question)
        self._maybe_reload()
        query = rewrite(question, history, self._terms()) if history else question
        if (reply := smalltalk_reply(question)) is not None:
            answer = Answer(question=question, text=reply, mode="chat")
        elif history and asks_byline_only(question):
            # "作者是谁？" after an answer: the byline of the article that answer cites first,
            # found again by answering the turn before.
            before = self._answer(history[-1][0], history[-1][0], issue, date_from, date_to,
                                  current_issue)
            if before.citations:
                answer = catalog.byline_answer(question, before.citations[0])
                query = history[-1][0]  # the subject stays the turn before's for what follows
            else:
                answer = self._answer(question, query, issue, date_from, date_to, current_issue)
        else:
            answer = self._answer(question, query, issue, date_from, date_to, current_issue)
        # The question as the user typed it (traditional characters stay traditional); the
        # query is what was matched.
        answer.question, answer.query = normalize(" ".join(asked.split())), query
        if self._audit is not None:
            self._audit.record(answer, (time.perf_counter() - started) * 1000, user_id, channel)
        return answer

    def _answer(self, question: str, query: str, issue: int | None, date_from: str | None,
                date_to: str | None, current_issue: int | None) -> Answer:
        data, answerer, retriever = self._state
        refs = self._refs(query, current_issue)
        if issue is None and date_from is None and date_to is None:
            if refs.unknown_issue is not None:
                return catalog.missing_issue_answer(question, refs.unknown_issue, self.issues())
            if refs.unresolved and not refs.has_filter:
                return Answer(question=question, mode="metadata", abstained=True,
                              text=f"索引中没有“{refs.unresolved}”所指的一期。")
            issue, date_from, date_to = refs.issue, refs.date_from, refs.date_to
            if refs.asks_date and issue is not None:
                return catalog.date_answer(question, issue, self.issues())
            if refs.asks_contents:
                wanted = set(matching_issues(refs, self._issue_refs))
                return catalog.contents_answer(question, [
                    i for i in reversed(self.issues()) if (i.number, i.date) in wanted])
            query = refs.cleaned or query
        if by_author := catalog.by_author_answer(question, query, self._bylines):
            return by_author
        signed = None
        if found := catalog.signed_by(query, self._bylines):  # 郭俊岭报道的…: their reports
            query, signed = found
        rows = allowed_rows(data, issue, date_from, date_to, articles=signed)
        if refs.asks_author and (topic := topic_of(query)):
            # The byline of the article about the rest of the question, if the archive has one.
            about = retriever.passages(topic, 8, rows)
            if byline := catalog.author_answer(question, topic, about, answerer):
                return byline
        passages = retriever.passages(query, answer_passages(data, rows), rows)
        if refs.asks_articles:
            return catalog.articles_answer(question, query, topic_of(query), passages,
                                           answerer)
        if not QUESTION_WORD.search(query) and (
                titled := catalog.titled_answer(question, query, passages, data.articles)):
            return titled
        # One document read whole (a judgment asked about within its issue), not a small issue
        # of several stories: only then is the refusal model set aside (`Answerer.answer`).
        answer = answerer.answer(query, passages, whole=reads_whole(data, rows))
        if self._llm is not None and not answer.abstained:
            return self._llm_answer(question, query, passages[:5]) or answer
        return answer

    def _llm_answer(self, question: str, query: str, passages: list[Passage]) -> Answer | None:
        got = self._llm.try_answer(query, passages)
        if got is None:
            return None
        text, used = got
        return Answer(question=question, mode="llm",
                      citations=[Citation.of(n, passages[k - 1]) for n, k in enumerate(used, 1)],
                      text=renumber(text, {k: n for n, k in enumerate(used, 1)}))

    # --- the archive itself ---------------------------------------------------------------

    def issues(self) -> list[Issue]:
        """Issues in the index with their articles, newest first (undated ones last)."""
        return sorted(self.data.issues, key=lambda i: (i.date or "", i.number or 0),
                      reverse=True)

    def articles(self, issue: int | None = None, source: str | None = None) -> list[Article]:
        """Articles of one issue (by number or file), in reading order."""
        return [a for i in self.data.issues
                if (issue is None or i.number == issue) and (source is None or i.source == source)
                for a in i.articles]

    def article(self, article_id: str) -> Article | None:
        return self.data.articles.get(article_id)

    def example_questions(self, n: int = 3) -> list[str]:
        """Questions a newcomer can try, made from article titles of the newest issues."""
        out = []
        for issue in self.issues():
            for a in issue.articles:
                if a.kind == "article" and not a.title_derived and len(out) < n:
                    out.append(f"{a.title}是怎么回事？")
            if len(out) >= n:
                break
        return out

    def stats(self) -> dict:
        data = self.data
        size = sum(f.stat().st_size for f in data.path.rglob("*") if f.is_file())
        return {
            "index": str(self.index_dir), "build": data.path.name,
            "model": data.manifest.get("model"), "dimension": data.manifest.get("dimension"),
            "built_at": data.manifest.get("built_at"), **data.manifest.get("counts", {}),
            "size_mb": round(size / 1e6, 2), "warnings": data.manifest.get("warnings", []),
            "issues_list": [{"number": i.number, "date": i.date, "pages": i.pages,
                             "source": i.source, "articles": len(i.articles)}
                            for i in self.issues()],
        }
