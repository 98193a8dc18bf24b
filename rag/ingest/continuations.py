"""Join continued articles: the part printed after （上接第1版） goes back to its start (下转)."""

from __future__ import annotations

import logging
from dataclasses import replace

from rag.types import Issue

logger = logging.getLogger(__name__)


def _shares_words(a: str, b: str, n: int = 4) -> bool:
    return any(a[i:i + n] in b for i in range(len(a) - n + 1))


def join_continuations(issues: list[Issue]) -> None:
    """Join each continued part (上接第N版) to the article it continues (下转) in the same issue."""
    def same_issue(a: Issue, b: Issue) -> bool:
        if a.number is not None or b.number is not None:
            return a.number == b.number
        return a.source == b.source if not (a.date and b.date) else a.date == b.date

    for issue in issues:
        for part in [a for a in issue.articles if any(c.startswith("上接") for c in a.continuations)]:
            candidates = [
                (other, art) for other in issues if same_issue(issue, other)
                for art in other.articles
                if art is not part and any(c.startswith("下转") for c in art.continuations)
            ]
            if not part.title_derived:
                titled = [c for c in candidates if _shares_words(part.title, c[1].title)]
                candidates = titled or candidates
            if len(candidates) != 1 and not (candidates and not part.title_derived):
                continue
            owner_issue, owner = candidates[0]
            # A new object, not an edit in place: the indexer re-chunks exactly the articles
            # that are not the objects it loaded.
            joined = replace(
                owner,
                paragraphs=owner.paragraphs + [p for p in part.paragraphs
                                               if p not in owner.paragraphs],
                continuations=owner.continuations + part.continuations,
                authors=owner.authors + [a for a in part.authors if a not in owner.authors])
            owner_issue.articles[owner_issue.articles.index(owner)] = joined
            issue.articles.remove(part)
            logger.info("joined %s to %s (%s)", part.id, joined.id, joined.title)
