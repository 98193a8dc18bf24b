"""Plain dataclasses passed between the stages: ingest → index → search → answer.

They serialise with `dataclasses.asdict`, so the CLI's `--json` and the bot share one shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace


def headline(title: str, subtitle: str) -> str:
    """`主题——副题`, the headline a citation shows. Printed without dashes or font sizes, two
    headline lines do not say which is the title: the paper sets both 主题 over 副题 and 引题 over
    主题 (练兵场上见真章 / 张家口特警夏季实战大练兵开训), so a citation names both lines and the
    reader finds the article by either."""
    return f"{title}——{subtitle}" if subtitle else title


@dataclass
class Article:
    """One article or photo caption of an issue, cleaned of PDF noise."""

    id: str  # "<source>#<n>", stable for a given file
    source: str  # file name inside the corpus folder
    issue: int | None
    date: str | None  # YYYY-MM-DD
    title: str
    subtitle: str = ""
    kicker: str = ""  # 引题: the lead-in line above the title
    authors: list[str] = field(default_factory=list)
    kind: str = "article"  # "article" or "photo"
    paragraphs: list[str] = field(default_factory=list)
    continuations: list[str] = field(default_factory=list)  # "下转第6版", "上接第1版"
    title_derived: bool = False  # the headline was lost; title made from the lead sentence

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass
class Issue:
    """One issue file: its header (or manifest) data and its articles."""

    source: str
    number: int | None = None
    date: str | None = None
    pages: int | None = None
    articles: list[Article] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Chunk:
    """A piece of an article cut at sentence boundaries, with the article's metadata."""

    id: str  # "<article id>:<n>"
    article_id: str
    text: str  # the passage itself, verbatim from the article
    source: str
    issue: int | None
    date: str | None
    title: str
    subtitle: str = ""
    kicker: str = ""
    authors: list[str] = field(default_factory=list)
    kind: str = "article"

    @property
    def embed_text(self) -> str:
        """What the embedder sees: the headline carries the topic into every chunk. Simplified
        characters, as questions are: a traditional archive then meets simplified questions."""
        from rag.text import to_simplified  # rag.text loads no model: a cheap import

        head = " ".join(p for p in (self.kicker, self.title, self.subtitle) if p)
        return to_simplified(f"{head}\n{self.text}" if head else self.text)

    @property
    def headline(self) -> str:
        return headline(self.title, self.subtitle)


@dataclass
class Passage(Chunk):
    """A retrieved chunk and its score (higher is better), with the two scores fused into it."""

    score: float = 0.0
    bm25: float = 0.0  # BM25 score, 0 when BM25 did not return the chunk
    cosine: float = 0.0  # cosine similarity of question and chunk, 0 when dense did not

    @classmethod
    def of(cls, chunk: Chunk, score: float, bm25: float = 0.0, cosine: float = 0.0) -> Passage:
        return cls(**vars(chunk), score=score, bm25=bm25, cosine=cosine)


@dataclass
class Citation:
    """Where a claim of an answer comes from: the issue, the article and the passage it quotes
    (the passages, when the answer quotes more than one of the article: `resting_on`)."""

    n: int
    article_id: str
    source: str
    issue: int | None
    date: str | None
    title: str
    subtitle: str = ""
    authors: list[str] = field(default_factory=list)
    snippet: str = ""  # the passage the claim rests on (each of them, when it rests on more)
    score: float = 0.0

    @classmethod
    def of(cls, n: int, passage: Passage) -> Citation:
        """Cite `passage` as source [n]: its article, and the passage itself as the snippet."""
        return cls(n=n, article_id=passage.article_id, source=passage.source,
                   issue=passage.issue, date=passage.date, title=passage.title,
                   subtitle=passage.subtitle, authors=list(passage.authors),
                   snippet=passage.text, score=round(passage.score, 4))

    def resting_on(self, passages: list[Passage]) -> Citation:
        """This citation with the distinct `passages` of its article as its snippet, in the
        article's order: an answer that quotes two passages of one article cites both under
        one number, and its snippet must hold what each sentence quotes."""
        distinct = {p.id: p for p in passages if p.article_id == self.article_id}
        ordered = sorted(distinct.values(), key=lambda p: int(p.id.rsplit(":", 1)[1]))
        return replace(self, snippet="\n…\n".join(p.text for p in ordered)) if ordered else self

    @property
    def headline(self) -> str:
        return headline(self.title, self.subtitle)

    def label(self) -> str:
        """`第831期 · 2024-10-29 · 《标题》 · 作者`, the line that tells where a claim comes from."""
        parts = [f"第{self.issue}期" if self.issue is not None else "期号不详"]
        if self.date:
            parts.append(self.date)
        parts.append(f"《{self.headline}》")
        if self.authors:
            parts.append("、".join(self.authors))
        if self.issue is None:
            parts.append(self.source)  # tells apart issues whose number was not printed
        return " · ".join(parts)


@dataclass
class Answer:
    """An answer with its [n] marks resolved in `citations`.

    When `abstained` is true the paper has nothing on the question: `text` says so and
    `suggestions` lists the closest articles (they support no claim).
    """

    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    abstained: bool = False
    suggestions: list[Citation] = field(default_factory=list)
    mode: str = "extractive"  # "extractive", "metadata", "llm" or "chat" (a greeting, thanks)
    query: str = ""  # what was searched: the question made standalone from the conversation
