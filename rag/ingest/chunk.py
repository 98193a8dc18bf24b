"""Cut articles into passages at sentence boundaries, a few hundred characters each."""

from __future__ import annotations

from rag.text import split_sentences
from rag.types import Article, Chunk


def chunk_article(article: Article, size: int = 300, overlap: int = 60) -> list[Chunk]:
    """Pack whole sentences into chunks of about `size` characters.

    A chunk never ends inside a sentence: a sentence longer than `size` is a chunk of its
    own. Each new chunk repeats the last sentences of the previous one, up to `overlap`
    characters, so a fact told across a boundary is still found whole in one chunk.
    """
    sentences: list[tuple[int, str]] = [
        (p, s) for p, para in enumerate(article.paragraphs) for s in split_sentences(para)
    ]
    groups: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    length = 0
    for item in sentences:
        if current and length + len(item[1]) > size:
            groups.append(current)
            tail: list[tuple[int, str]] = []
            for prev in reversed(current):
                if sum(len(s) for _, s in tail) + len(prev[1]) > overlap:
                    break
                tail.insert(0, prev)
            current, length = tail, sum(len(s) for _, s in tail)
        current.append(item)
        length += len(item[1])
    if current:
        groups.append(current)

    chunks = []
    for n, group in enumerate(groups):
        text = ""
        for i, (para, sentence) in enumerate(group):
            # Keep paragraph breaks: they help a reader of the snippet.
            text += ("\n" if i and para != group[i - 1][0] else "") + sentence
        chunks.append(Chunk(
            id=f"{article.id}:{n}", article_id=article.id, text=text, source=article.source,
            issue=article.issue, date=article.date, title=article.title,
            subtitle=article.subtitle, kicker=article.kicker, authors=list(article.authors),
            kind=article.kind,
        ))
    return chunks
