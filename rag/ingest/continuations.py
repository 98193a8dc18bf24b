"""Join continued articles: the part printed after （上接第1版） goes back to its start (下转).

The two parts may sit in two files (one file per page) or in one file (a whole issue); either
way they belong to one issue, and the start comes first in reading order.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from rag.text import is_complete, join_broken
from rag.types import Article, Issue

logger = logging.getLogger(__name__)


def _shares_words(a: str, b: str, n: int = 4) -> bool:
    n = min(n, len(a), len(b))
    return n >= 2 and any(a[i:i + n] in b for i in range(len(a) - n + 1))


def _same_issue(a: Issue, b: Issue) -> bool:
    if a is b:
        return True
    if a.number is not None or b.number is not None:
        return a.number == b.number
    return a.source == b.source if not (a.date and b.date) else a.date == b.date


def _is_part(article: Article) -> bool:
    """A continued part opens with its 上接 note (a start may also carry one it received)."""
    return bool(article.continuations) and article.continuations[0].startswith("上接")


def _pick(part: Article, candidates: list[tuple[Issue, Article]]) -> tuple[Issue, Article] | None:
    """The start a part continues: the same title, else a shared phrase, else the only one."""
    if not part.title_derived:
        same = [c for c in candidates if c[1].title == part.title]
        if same:
            return same[-1]  # the nearest before it
        shared = [c for c in candidates if _shares_words(part.title, c[1].title)]
        if shared:
            return shared[0] if len(shared) == 1 else None
    return candidates[0] if len(candidates) == 1 else None


def join_continuations(issues: list[Issue]) -> None:
    """Join each continued part (上接第N版) to the article it continues (下转) in the same issue.

    A start takes as many parts as it has 下转 notes; a part with no clear start stays an
    article of its own rather than being glued to a wrong one.
    """
    taken: dict[int, int] = {}  # id() of a start → parts joined to it
    for issue in issues:
        for part in [a for a in issue.articles if _is_part(a)]:
            if part not in issue.articles:
                continue
            pos = issue.articles.index(part)
            candidates = [
                (other, art) for other in issues if _same_issue(issue, other)
                for k, art in enumerate(other.articles)
                if art is not part and not (other is issue and k > pos)
                and sum(c.startswith("下转") for c in art.continuations) > taken.get(id(art), 0)
            ]
            chosen = _pick(part, candidates)
            if chosen is None:
                if candidates:
                    logger.info("%s (%s): no clear start among %d continued articles; kept apart",
                                part.id, part.title, len(candidates))
                continue
            owner_issue, owner = chosen
            paragraphs = list(owner.paragraphs)
            extra = [p for p in part.paragraphs if p not in paragraphs]
            if paragraphs and extra and not is_complete(paragraphs[-1]):
                # The page turn cut a sentence: "…每周至少上门走访一次" + "，帮助老人…".
                paragraphs[-1] = join_broken(paragraphs[-1], extra.pop(0))
            # A new object, not an edit in place: the indexer re-chunks exactly the articles
            # that are not the objects it loaded.
            joined = replace(
                owner, paragraphs=paragraphs + extra,
                continuations=owner.continuations + part.continuations,
                authors=owner.authors + [a for a in part.authors if a not in owner.authors])
            taken[id(joined)] = taken.get(id(owner), 0) + 1
            owner_issue.articles[owner_issue.articles.index(owner)] = joined
            issue.articles.remove(part)
            logger.info("joined %s to %s (%s)", part.id, joined.id, joined.title)
