"""Chinese text helpers shared by the parser, the chunker and the answerer."""

from __future__ import annotations

import re
import unicodedata

# Chinese punctuation stays full-width; every other full-width ASCII form becomes half-width.
_KEEP_FULL = set("，。！？；：（）")
_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)

#: A sentence ends at one of these, optionally followed by closing quotes or brackets.
SENTENCE_END = "。！？；…"
_CLOSERS = "”’」』）)】》\"'"
_SENTENCE_RE = re.compile(f"[^{SENTENCE_END}]*(?:[{SENTENCE_END}]+[{_CLOSERS}]*|$)")
_COMPLETE_RE = re.compile(f"[{SENTENCE_END}][{_CLOSERS}]*$")


def is_cjk(ch: str) -> bool:
    return bool(ch) and bool(_CJK_RE.match(ch))


def has_cjk(text: str) -> bool:
    return bool(_CJK_RE.search(text))


def normalize(text: str) -> str:
    """Normalise one line of PDF-extracted Chinese text.

    Full-width letters, digits and symbols become half-width (so "９７％" matches "97%"),
    while Chinese punctuation is kept full-width; half-width punctuation touching Chinese text
    becomes full-width (extractors mix both within one issue).
    """
    text = text.translate(_INVISIBLE).replace("\u3000", " ").replace("\u00a0", " ")
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E and ch not in _KEEP_FULL:
            ch = chr(code - 0xFEE0)
        out.append(ch)
    chars = out
    for i, ch in enumerate(chars):
        if ch in _TO_FULL:
            # "10:30" and "3,000" stay as they are: only Chinese on either side counts.
            before = chars[i - 1] if i > 0 else ""
            after = chars[i + 1] if i + 1 < len(chars) else ""
            if is_cjk(before) or is_cjk(after):
                chars[i] = _TO_FULL[ch]
    text = "".join(chars)
    text = unicodedata.normalize("NFC", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def split_sentences(text: str) -> list[str]:
    """Split at 。！？；… keeping the closing quote with its sentence; never cuts inside one."""
    return [s for s in (m.group(0).strip() for m in _SENTENCE_RE.finditer(text)) if s]


def is_complete(text: str) -> bool:
    """True when a paragraph ends a sentence (so a page break did not cut it)."""
    return bool(_COMPLETE_RE.search(text.rstrip()))


def join_broken(head: str, tail: str) -> str:
    """Join a paragraph cut by a page or column break; no space between Chinese characters."""
    if head and tail and head[-1].isascii() and tail[0].isascii() and head[-1].isalnum():
        return f"{head} {tail}"
    return head + tail
