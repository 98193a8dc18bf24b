"""Issue and date references in a question ("第831期", "上期", "2024年10月", "去年") → filters.

`resolve_refs` finds the reference phrases, resolves them against the issues the index knows and
returns them as filters plus the question without them (so "831" or "十月" do not pollute
retrieval). It also says whether the question only asks what an issue contains or when it came
out: those are answered from metadata, not from passages.

An issue reference always needs 期: "6000余人次", "12345热线" or "110" are never issue numbers.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import re
from dataclasses import dataclass, field

from rag.search import asks

log = logging.getLogger(__name__)

IssueRef = tuple[int | None, str | None]  # (number, "YYYY-MM-DD"), either may be unknown


@dataclass
class Refs:
    """What a question refers to, resolved against the index. Dates are "YYYY-MM-DD"."""

    issue: int | None = None  # a known issue the question names: filter on it
    date_from: str | None = None  # first day of the named period, inclusive
    date_to: str | None = None  # last day of the named period, inclusive
    cleaned: str = ""  # the question without the reference phrases, for retrieval
    asks_contents: bool = False  # only asks what the issue/period contains
    asks_date: bool = False  # only asks when the named issue came out
    unknown_issue: int | None = None  # an issue number named but not in the index
    unresolved: str | None = None  # a relative reference with no such issue (上期 of the first)
    asks_articles: bool = False  # asks which articles are about something ("哪篇报道讲了…")
    asks_author: bool = False  # asks who wrote an article ("这篇报道是谁写的")
    phrases: list[str] = field(default_factory=list)  # the reference phrases, in order

    @property
    def has_filter(self) -> bool:
        """True when retrieval should be restricted to an issue or a period."""
        return self.issue is not None or self.date_from is not None


_CN = "〇零一二两三四五六七八九十百千"
_CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "两": 2}
_NUM = rf"(?:\d+|[{_CN}]+)"
_YEAR = r"(?P<y>\d{4}|[〇零一二三四五六七八九]{4})\s*年"
# 期 followed by these is 期间/期待/期望/期限/期盼/期满, not an issue.
_NOT_ISSUE = r"(?![间待望限盼满])"
_REL_YEAR = {"前年": -2, "去年": -1, "今年": 0}
_PREFIX = r"(?:(?:在|于|从)\s*)?(?:《?公安周刊》?\s*)?"
# 中/内 only as particles: keep 中国, 中心, 内容.
_SUFFIX = (
    r"(?:\s*的)?(?:\s*《?公安周刊》?)?"
    r"(?:\s*(?:的|里面|当中|中(?=[有的，,。？?\s]|$)|里|内(?!容)))?"
)

# Order matters: longer forms first, and relative issues before "N期" so that the 一 of 最新一期
# is never read as issue 1.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (kind, re.compile(_PREFIX + rf"(?P<core>{body})" + _SUFFIX))
    for kind, body in [
        ("ymd", rf"{_YEAR}\s*(?P<m>{_NUM})\s*月\s*(?P<d>{_NUM})\s*[日号]"),
        ("ymd", r"(?<!\d)(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)"),
        ("ymd", rf"(?P<r>前年|去年|今年)\s*(?P<m>{_NUM})\s*月\s*(?P<d>{_NUM})\s*[日号]"),
        (
            "ymd",
            rf"(?<![\d年])(?P<m>\d{{1,2}}|[十一二三四五六七八九]{{1,3}})\s*月\s*"
            rf"(?P<d>{_NUM})\s*[日号]",
        ),
        ("ym", rf"{_YEAR}\s*(?P<m>{_NUM})\s*月份?"),
        ("ym", rf"(?P<r>前年|去年|今年)\s*(?P<m>{_NUM})\s*月份?"),
        ("y", rf"(?<!\d){_YEAR}(?:度)?"),
        ("y", r"(?P<r>前年|去年|今年)"),
        ("rel_month", r"(?P<rm>本月|这个月|上个月|上月)"),
        # A month alone: after a Chinese numeral only at a word start ("统一月报" is no month).
        ("m", r"(?<![\d年个])(?P<m>1[0-2]|0?[1-9])\s*月份?(?![\d底初])"),
        (
            "m",
            r"(?:^|(?<=[\s，,。？?！!在于从到至和与及的是\x00]))"
            r"(?P<m>十[一二]?|[一二三四五六七八九])月份?(?![底初])",
        ),
        ("latest", r"最[新近后](?:的)?一期|最新期"),
        ("previous", rf"上一?期{_NOT_ISSUE}"),
        ("current", rf"(?:本|这一?|当)期{_NOT_ISSUE}"),
        ("issue", rf"第\s*(?P<n>\d{{1,5}})\s*期{_NOT_ISSUE}"),
        ("issue_weak", rf"第\s*(?P<n>[{_CN}]+)\s*期{_NOT_ISSUE}"),
        ("issue_weak", rf"(?<![\d.])(?P<n>\d{{1,5}})\s*期{_NOT_ISSUE}"),
    ]
]

def cn_to_int(text: str) -> int | None:
    """Parse "831", "十二", "八百三十一" or "二〇二四" into an int; None if it is no number."""
    if text.isdigit():
        return int(text)
    if text and all(c in _CN_DIGIT for c in text):  # digit by digit: 二〇二四
        return int("".join(str(_CN_DIGIT[c]) for c in text))
    total, digit = 0, 0
    for c in text:
        if c in _CN_DIGIT:
            digit = _CN_DIGIT[c]
        elif c in "十百千":
            total += (digit or 1) * {"十": 10, "百": 100, "千": 1000}[c]
            digit = 0
        else:
            return None
    return total + digit if text else None


class _Issues:
    """The issues known to the index, with the orderings the relative references need."""

    def __init__(self, issues: list[IssueRef]) -> None:
        known = {(n, d) for n, d in issues if n is not None or d is not None}
        self.dates = {n: d for n, d in known if n is not None}
        # Chronological: by date, or by number for an archive whose headers carry no date.
        dated = [x for x in known if x[1]]
        self.order = sorted(dated or known, key=lambda x: (x[1] or "", x[0] or -1))

    def latest(self) -> IssueRef | None:
        return self.order[-1] if self.order else None

    def before(self, ref: IssueRef | None) -> IssueRef | None:
        """The issue published just before `ref`."""
        if ref in self.order:
            i = self.order.index(ref)
            return self.order[i - 1] if i else None
        # An issue the index lacks (or holds undated): the last one with a lower number.
        lower = [x for x in self.order if ref and ref[0] and x[0] and x[0] < ref[0]]
        return lower[-1] if lower else None

    def relative(self, kind: str, current_issue: int | None) -> IssueRef | None:
        """Resolve 最新一期 ("latest"), 上期 ("previous") or 本期 ("current")."""
        if current_issue is None:
            here = self.latest()
        else:
            here = (current_issue, self.dates.get(current_issue))
        if kind == "latest":
            return self.latest()
        return here if kind == "current" else self.before(here)

    def anchor(self, today: dt.date) -> dt.date:
        """The date month-only references count back from: the latest issue, else today."""
        latest = self.latest()
        return dt.date.fromisoformat(latest[1]) if latest and latest[1] else today


def _day_range(y: int, m: int, d: int | None = None) -> tuple[str, str] | None:
    try:
        if d is not None:
            day = dt.date(y, m, d).isoformat()
            return day, day
        last = calendar.monthrange(y, m)[1]
        return dt.date(y, m, 1).isoformat(), dt.date(y, m, last).isoformat()
    except (ValueError, calendar.IllegalMonthError):
        return None


def _period(
    kind: str, g: dict[str, str | None], today: dt.date, anchor: dt.date
) -> tuple[str, str] | None:
    """The (first, last) day of a date reference; None when it names no real day."""
    if g.get("rm"):
        first = today.replace(day=1)
        if g["rm"] in ("上个月", "上月"):
            first = (first - dt.timedelta(days=1)).replace(day=1)
        return _day_range(first.year, first.month)
    year = cn_to_int(g["y"]) if g.get("y") else None
    if g.get("r"):
        year = today.year + _REL_YEAR[g["r"]]
    if kind == "y":
        return (f"{year:04d}-01-01", f"{year:04d}-12-31") if year else None
    month = cn_to_int(g["m"] or "")
    day = cn_to_int(g["d"]) if g.get("d") else None
    if month is None:
        return None
    if year is None:
        # No year given: the latest such month (or day) not after the newest issue, so "10月"
        # in April 2025 means October 2024, not an October that has not come yet.
        year = anchor.year if (month, day or 1) <= (anchor.month, anchor.day) else anchor.year - 1
    return _day_range(year, month, day)


def resolve_refs(
    question: str,
    issues: list[IssueRef],
    today: dt.date | None = None,
    current_issue: int | None = None,
) -> Refs:
    """Find the issue and date references in `question` and resolve them against `issues`.

    Args:
        question: the user's question.
        issues: (number, "YYYY-MM-DD") of every issue in the index; either part may be None.
        today: the date 今年/去年/本月 count from. Defaults to `date.today()`, not to the newest
            issue: "今年" must mean this calendar year even when the archive stops earlier.
        current_issue: the issue the conversation is about (本期/这期, and 上期 counts from it).
            Without it 本期 is the latest issue.

    Returns:
        The resolved filters and the cleaned question. A month without a year ("10月", "十月")
        is the latest such month not after the newest issue. Several periods are merged into
        the span that covers them; of several issues one is kept (`phrases` lists them all).
    """
    today = today or dt.date.today()
    known = _Issues(issues)
    anchor = known.anchor(today)
    refs = Refs()
    work = question.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    printed = work
    spans: list[tuple[int, int]] = []
    periods: list[tuple[str, str]] = []
    period_at: list[int | None] = []  # per period, its phrase's index in spans (None: an issue)
    issue_named = False
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(work):
            g = match.groupdict()
            resolved: IssueRef | None = None
            if kind in ("issue", "issue_weak"):
                number = cn_to_int(g["n"])
                if number is None:
                    continue
                if kind == "issue_weak" and number not in known.dates and number < 100:
                    continue  # "3期培训班", "第一期工程": a count, not an issue of the paper
                issue_named = True
                if number in known.dates:
                    resolved = (number, known.dates[number])
                elif refs.unknown_issue is None and refs.issue is None:
                    refs.unknown_issue = number
            elif kind in ("latest", "previous", "current"):
                issue_named = True
                resolved = known.relative(kind, current_issue)
                if resolved is None:
                    refs.unresolved = refs.unresolved or match.group("core")
            else:
                period = _period(kind, g, today, anchor)
                if period is None:
                    continue
                periods.append(period)
                period_at.append(len(spans))
            if resolved is not None and refs.issue is None:
                if resolved[0] is not None:
                    refs.issue = resolved[0]
                elif resolved[1]:
                    periods.append((resolved[1], resolved[1]))
                    period_at.append(None)
            spans.append(match.span())
            refs.phrases.append(match.group("core"))
            # Mask the phrase (same length keeps offsets) so later patterns cannot reuse it.
            start, end = match.span()
            work = work[:start] + "\x00" * (end - start) + work[end:]
    if refs.issue is not None:
        refs.unknown_issue = None
        issue_date = known.dates.get(refs.issue)
        named = [i for i in period_at if i is not None]
        if named and not (issue_date and all(
                a <= issue_date <= b for (a, b), i in zip(periods, period_at) if i is not None)):
            # "第853期2024年河北有多少个派出所…": a named issue printed outside the year asked
            # about; the year is what the article is about, not when it was printed.
            for i in named:
                start, end = spans[i]
                work = work[:start] + printed[start:end] + work[end:]
            periods = [p for p, i in zip(periods, period_at) if i is None]
            refs.phrases = [p for i, p in enumerate(refs.phrases) if i not in named]
            spans = [sp for i, sp in enumerate(spans) if i not in named]
    if periods:
        refs.date_from = min(p[0] for p in periods)
        refs.date_to = max(p[1] for p in periods)
    order = sorted(range(len(spans)), key=lambda i: spans[i][0])
    refs.phrases = [refs.phrases[i] for i in order]
    cleaned = work.replace("\x00", " ")
    refs.cleaned = re.sub(r"\s+", " ", cleaned).strip(" ，,、：:")
    if spans:
        # A bare reference ("第831期", "2024年10月") is taken as "what is in it?".
        refs.asks_contents = asks.contents(work)
        refs.asks_date = issue_named and asks.date(work)
    refs.asks_author = not refs.asks_contents and asks.author(work)
    refs.asks_articles = not (refs.asks_contents or refs.asks_author) and asks.articles(work)
    log.debug("refs of %r: %s", question, refs)
    return refs


def matching_issues(refs: Refs, issues: list[IssueRef]) -> list[IssueRef]:
    """The issues of `issues` that `refs` selects (by number, else by period), oldest first.

    Useful for `asks_contents` ("2024年10月有哪些文章") and for saying that a period holds no
    issue. Returns [] when `refs` has no filter.
    """
    if refs.issue is not None:
        found = [(n, d) for n, d in issues if n == refs.issue]
    elif refs.date_from is not None and refs.date_to is not None:
        found = [(n, d) for n, d in issues if d and refs.date_from <= d <= refs.date_to]
    else:
        return []
    return sorted(set(found), key=lambda x: (x[1] or "", x[0] or -1))
