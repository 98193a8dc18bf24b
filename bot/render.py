"""Everything the bot shows: HTML text, citation lines, 4,096-character pages and keyboards.

Every string that comes from the paper passes through `esc` (html.escape); the handlers in
`bot.app` never format text themselves. Messages are measured in UTF-16 code units, the
unit Telegram counts its 4,096-character limit in.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable, Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from rag import Answer, Article, Citation, Issue

MAX_MESSAGE = 4096
#: Telegram buttons show about this many characters before they cut the label.
BUTTON_CHARS = 28
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;…])")


def esc(text: str | None) -> str:
    """Escape paper text for Telegram's HTML parse mode."""
    return html.escape(text or "", quote=False)


def tg_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


# ---------------------------------------------------------------- splitting into messages


def _hard_split(raw: str, limit: int) -> list[str]:
    """Cut raw text so each escaped piece fits; cutting raw text keeps entities whole."""
    pieces, current = [], ""
    for ch in raw:
        if current and tg_len(esc(current + ch)) > limit:
            pieces.append(esc(current))
            current = ""
        current += ch
    if current:
        pieces.append(esc(current))
    return pieces


def text_pieces(raw: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Escape one paragraph, cut at sentence ends (then anywhere) if it is too long."""
    if tg_len(esc(raw)) <= limit:
        return [esc(raw)]
    pieces: list[str] = []
    for sentence in filter(None, _SENTENCE_END.split(raw)):
        pieces.extend(_hard_split(sentence, limit))
    return pieces


def paginate(
    blocks: Iterable[str | list[str]], limit: int = MAX_MESSAGE, sep: str = "\n"
) -> list[str]:
    """Pack HTML blocks into as few messages of at most `limit` characters as possible.

    A block is a complete HTML fragment (balanced tags) or a list of such fragments that
    were one paragraph (they are rejoined without `sep`). Messages only break between
    fragments, so no tag or entity is ever cut.
    """
    messages: list[str] = []
    current = ""
    for block in blocks:
        parts = [block] if isinstance(block, str) else block
        for i, part in enumerate(parts):
            joiner = (sep if i == 0 else "") if current else ""
            if current and tg_len(current + joiner + part) > limit:
                messages.append(current)
                current, joiner = "", ""
            # A blank line meant to separate sections must not open a message.
            current += joiner + (part if current else part.lstrip("\n"))
    if current or not messages:
        messages.append(current)
    return messages


def paragraphs_to_blocks(paragraphs: Iterable[str], limit: int = MAX_MESSAGE) -> list[list[str]]:
    """Escaped paragraphs, each cut into fitting pieces."""
    return [text_pieces(p, limit) for p in paragraphs if p.strip()]


# ---------------------------------------------------------------- citations and answers


def issue_label(issue: int | None, date: str | None) -> str:
    """Like 第831期 · 2024-10-29; an unknown issue reads 期号不详, an unknown date is left out."""
    parts = [f"第{issue}期" if issue is not None else "期号不详"]
    if date:
        parts.append(esc(date))
    return " · ".join(parts)


def citation_line(c: Citation) -> str:
    """`[1] 第831期 · 2024-10-29 · 《标题》 · 作者` in HTML."""
    parts = [f"[{c.n}] {issue_label(c.issue, c.date)}", f"《{esc(c.headline)}》"]
    if c.authors:
        parts.append(esc("、".join(c.authors)))
    return " · ".join(parts)


def render_answer(answer: Answer, limit: int = MAX_MESSAGE) -> list[str]:
    """The answer text with its [n] marks, then one line per source (or suggestion)."""
    blocks: list[str | list[str]] = list(paragraphs_to_blocks(answer.text.split("\n"), limit))
    if answer.abstained:
        if answer.suggestions:
            blocks.append("\n<b>可能相关的文章：</b>")
            blocks.extend(_suggestion_line(i, c) for i, c in enumerate(answer.suggestions[:3], 1))
    elif answer.citations:
        blocks.append("\n<b>来源：</b>")
        blocks.extend(citation_line(c) for c in answer.citations)
    return paginate(blocks, limit)


def _suggestion_line(i: int, c: Citation) -> str:
    parts = [f"{i}. {issue_label(c.issue, c.date)}", f"《{esc(c.headline)}》"]
    if c.authors:
        parts.append(esc("、".join(c.authors)))
    return " · ".join(parts)


def render_article(article: Article, limit: int = MAX_MESSAGE) -> list[str]:
    """Title, issue, date, authors and the full text, over as many messages as needed."""
    head: list[str | list[str]] = []
    if article.kicker:
        head.append(f"<i>{esc(article.kicker)}</i>")
    head.append(f"<b>《{esc(article.title)}》</b>")
    if article.subtitle:
        head.append(f"<i>{esc(article.subtitle)}</i>")
    meta = issue_label(article.issue, article.date)
    if article.authors:
        meta += " · " + esc("、".join(article.authors))
    head.append(meta + "\n")
    body = paragraphs_to_blocks(article.paragraphs, limit)
    if not body:
        body = [["（正文缺失）"]]
    tail = [esc(" ".join(article.continuations))] if article.continuations else []
    return paginate([*head, *body, *tail], limit)


# ---------------------------------------------------------------- lists and help


def render_issues(issues: Sequence[Issue]) -> list[str]:
    """One line per issue: number, date, article count and the file it came from."""
    if not issues:
        return ["索引里还没有任何期刊。"]
    lines = [f"<b>索引中共 {len(issues)} 期（新的在前）：</b>"]
    for item in issues:
        label = issue_label(item.number, item.date)
        photos = sum(1 for a in item.articles if a.kind == "photo")
        count = f"{len(item.articles) - photos} 篇" + (f"、{photos} 图" if photos else "")
        lines.append(f"• {label} · {count} · <code>{esc(item.source)}</code>")
    lines.append("\n发送 /issue 期号 查看该期文章，例如 /issue 831。")
    return paginate(lines)


def render_issue_articles(label: str, articles: Sequence[Article]) -> list[str]:
    """The articles of one issue, numbered, with authors."""
    lines = [f"<b>{esc(label)}</b> 共 {len(articles)} 篇："]
    for i, a in enumerate(articles, 1):
        line = f"{i}. 《{esc(a.title)}》"
        if a.authors:
            line += " · " + esc("、".join(a.authors))
        if a.kind == "photo":
            line += "（图片）"
        lines.append(line)
    lines.append("\n点下面的按钮阅读全文。")
    return paginate(lines)


def render_help(examples: Sequence[str], admin: bool = False) -> str:
    """What the bot does, with example questions from the index."""
    lines = [
        "你好！我可以回答关于《公安周刊》的问题，并注明出处（期号、日期、文章标题和作者）。",
        "",
        "私聊时直接发问题即可；在群里请用 /ask 问题，或 @我，或回复我的消息。",
        "",
        "<b>命令：</b>",
        "/ask 问题 — 提问",
        "/issues — 索引中的各期",
        "/issue 831 — 某一期的文章",
        "/new — 开始新的对话（清除上下文）",
        "/help — 显示本说明",
    ]
    if admin:
        lines += [
            "/stats — 索引统计（管理员）",
            "/reindex — 从语料重建索引（管理员）",
            "/remove 856 — 从索引中移除一期（期号或文件名，管理员）",
            "发送 .txt / .md / .pdf 文件 — 把新一期加入索引（管理员）",
        ]
    if examples:
        lines += ["", "<b>可以这样问：</b>"]
        lines += [f"• {esc(q)}" for q in examples]
    return "\n".join(lines)


#: Chinese names of the fields of engine stats and build/add/remove results; a field not
#: listed keeps its own name.
STAT_LABELS = {
    "index": "索引目录", "build": "索引版本", "model": "向量模型", "dimension": "向量维度",
    "built_at": "建立时间", "issues": "期数", "articles": "文章数", "chunks": "文本块数",
    "embedded": "新嵌入的文本块", "size_mb": "大小（MB）", "seconds": "用时（秒）",
    "timings": "各步用时（秒）", "warnings": "警告", "issues_list": "各期",
    "added": "新增", "replaced": "替换", "skipped": "跳过", "removed": "已移除",
    "summary": "摘要",
}  # fmt: skip


#: An add's fields that `add_line` says in Chinese (the others are its English forms).
_ADD_KEYS = ("outcome", "summary", "reasons", "failed", "added", "replaced", "skipped")


def _item(value: object) -> str:
    """One entry of a list field: a file name, or a dict such as {file, reason}."""
    if isinstance(value, dict):
        return "，".join(str(v) for v in value.values() if v not in (None, ""))
    return str(value)


def render_stats(stats: dict, title: str = "索引统计") -> list[str]:
    """A dict (engine stats, build summary) as `名称: value` lines under a bold title."""
    lines: list[str] = [f"<b>{esc(title)}</b>"]
    if isinstance(stats.get("outcome"), dict):  # a rebuild that added the uploads again
        lines.append("上传的文件：" + add_line({"outcome": stats["outcome"]}))
        stats = {k: v for k, v in stats.items() if k not in _ADD_KEYS}
    for key, value in stats.items():
        name = esc(STAT_LABELS.get(str(key), str(key)))
        if isinstance(value, list | tuple) and any(isinstance(v, dict) for v in value):
            lines.append(f"{name}: {len(value)} 项")  # e.g. the issue list: /issues shows it
        elif isinstance(value, list | tuple):
            lines.append(f"{name}: {len(value)} 条" if value else f"{name}: 无")
            lines.extend(f"• {esc(str(v))}" for v in value[:20])
        elif isinstance(value, dict):
            parts = (f"{esc(str(k))} {esc(str(v))}" for k, v in value.items())
            lines.append(f"{name}: " + "，".join(parts))
        else:
            lines.append(f"{name}: <code>{esc(str(value))}</code>")
    return paginate(lines)


def add_summary(result: dict) -> str:
    """One line for an add: the library's own summary if it gives one, else the counts."""
    if result.get("summary"):
        return str(result["summary"])
    parts = [
        f"{label} {len(result.get(key) or [])}"
        for key, label in (("added", "新增"), ("replaced", "替换"), ("skipped", "跳过"))
    ]
    return "，".join(parts)


#: Why the library skipped a file (its `outcome` reason codes); {other} is the file repeated.
SKIP_REASONS = {
    "duplicate": "与已收录的 {other} 是同一期",
    "already_indexed": "已在索引中",
    "duplicate_in_add": "与本次一起添加的 {other} 是同一期",
    "too_large": "超过文件大小上限（设置 MAX_FILE_MB）",
    "empty": "是空文件",
    "binary": "不是文本文件",
    "encoding": "编码无法识别（请存为 UTF-8 或 GB18030）",
    "no_chinese": "没有中文内容",
    "scanned_pdf": "是扫描版 PDF，没有文字层（不支持识别图片，请导出文本或文字版 PDF）",
    "encrypted_pdf": "是加密的 PDF，请去掉密码后重新导出",
    "damaged_pdf": "PDF 已损坏或不完整，请重新下载或导出",
    "unreadable": "无法读取",
}


#: Warnings about an added file (the library's `outcome` notes); {other} as there.
NOTES = {
    "no_number": "没有印出期号，issues.csv 里也没有",
    "no_articles": "没有找到文章",
    "manifest_differs": "issues.csv 里的{other}与文件里印的不同，以印的为准",
    "number_claimed": "与 {other} 的期号相同，两个都保留，按文件区分",
    "beside_namesake": "没有印出期号和日期，无法判断是否替换已收录的同名文件 {other}，已另外加入"
                       "（/remove {other} 可移除旧的）",
}
_FIELDS = {"number": "期号", "date": "日期", "pages": "版数"}


def add_notes(result: dict, shown: int = 5) -> list[str]:
    """An add's warnings as `• 文件：…` lines, in Chinese where the library gives a known code."""
    outcome = result.get("outcome")
    if not isinstance(outcome, dict) or "notes" not in outcome:
        return [f"• {esc(_item(w))}" for w in (result.get("warnings") or [])[:shown]]
    lines = []
    for n in outcome["notes"][:shown]:
        said = NOTES.get(str(n.get("code")))
        other = _FIELDS.get(str(n.get("other")), str(n.get("other")))
        text = esc(n.get("detail")) if said is None else said.format(other=esc(other))
        lines.append(f"• {esc(n.get('file'))}：{text}")
    return lines


def _listed(items: list[str], sep: str, shown: int = 3) -> str:
    return sep.join(items[:shown]) + (f"{sep}等共 {len(items)} 个" if len(items) > shown else "")


def _kept(entry: dict) -> str:
    """第856期（page1.txt）, with the name it is indexed under if that differs."""
    where = esc(entry.get("file") or entry.get("source"))
    if entry.get("source") and entry["source"] != entry.get("file"):
        where += f"，收录为 {esc(entry['source'])}"
    return f"{esc(entry.get('issue') or '期号不详')}（{where}）"


def _skipped(entry: dict) -> str:
    """page1.txt（第856期）与已收录的 page2.txt 是同一期; the library's words for a reason
    this table does not know."""
    name = esc(entry.get("file")) + (f"（{esc(entry['issue'])}）" if entry.get("issue") else "")
    why = SKIP_REASONS.get(str(entry.get("reason")))
    if why is None:
        return f"{name}：{esc(entry.get('detail') or entry.get('reason'))}"
    space = "" if entry.get("issue") else " "  # between a Latin file name and the reason
    return name + space + why.format(other=esc(entry.get("other") or "另一个文件"))


def add_line(result: dict) -> str:
    """An add's outcome in Chinese HTML, from the library's `outcome` data (its English
    `summary` line, escaped, for a result without it)."""
    outcome = result.get("outcome")
    if not isinstance(outcome, dict):
        return esc(add_summary(result))
    kept = [(verb, outcome.get(key) or []) for verb, key in (("已添加", "added"),
                                                             ("已替换", "replaced"))]
    parts = [f"{verb} {len(items)} 期：" + _listed([_kept(e) for e in items], "、")
             for verb, items in kept if items]
    skipped = outcome.get("skipped") or []
    if skipped:
        parts.append(f"跳过 {len(skipped)} 个：" + _listed([_skipped(e) for e in skipped], "，"))
    if any(items for _, items in kept) and "issues" in result:
        parts.append(f"索引现有 {result['issues']} 期、{result.get('chunks', 0)} 个文本块")
    return "；".join(parts) or "没有找到可添加的文件"


def render_upload(name: str, result: dict, seconds: float) -> str:
    """The reply to an uploaded issue file: whether it is in the index now, and why not."""
    changed = bool(result.get("added") or result.get("replaced"))
    head = "✅ 已加入索引" if changed else "⚠️ 未加入索引"
    lines = [f"{head}：<b>{esc(name)}</b>（用时 {seconds:.0f} 秒）", add_line(result)]
    if "outcome" not in result and not result.get("summary"):  # else the line names them
        for key in ("added", "replaced", "skipped"):
            items = result.get("reasons" if key == "skipped" else key) or result.get(key) or []
            if items:
                lines.append(f"{STAT_LABELS[key]}：" + "；".join(esc(_item(v)) for v in items))
    return "\n".join(lines + add_notes(result))


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"


def too_large(size: int, limit: int) -> str:
    """Refusal of a file over the limit, naming the setting that raises it."""
    return f"文件太大（{_mb(size)}），上限为 {_mb(limit)}（设置 MAX_FILE_MB，最多 20 MB）。"


def upload_progress(name: str, size: int | None, stage: str) -> str:
    """The message an upload edits while it works: 已收到 x（12 KB），正在…"""
    where = f"（{_mb(size)}）" if size else ""
    return f"⏳ 已收到 <b>{esc(name)}</b>{where}，{esc(stage)}……"


def render_removed(arg: str, result: dict) -> str:
    """The reply to /remove: which file went, and what the index holds now."""
    line = f"✅ 已从索引中移除 {esc(_item(result.get('removed') or arg))}"
    if result.get("issue"):
        line += f"（{esc(result['issue'])}）"
    if "issues" in result:
        line += f"，索引现有 {result['issues']} 期"
    return line + "。"


def render_not_indexed(target: str, matches: list[str]) -> str:
    """The reply to /remove of an issue or file the index does not hold, or of a name that
    several files share."""
    if matches:
        names = "、".join(esc(_item(m)) for m in matches)
        return (f"❌ {esc(target)} 对应 {len(matches)} 个文件（{names}）："
                "请用 /issues 列出的文件名移除其中一个。")
    return f"❌ 索引中没有 {esc(target)}：用 /issues 查看已收录的期号和文件。"


def refusal_text(user_id: int | None) -> str:
    """Deny-by-default message; the id lets an admin add the user to ALLOWED_USER_IDS."""
    if user_id is None:  # sent as a channel or anonymously: there is no id to give
        return "抱歉，无法识别发送者（以频道身份或匿名发送的消息），请用个人账号发消息。"
    return (
        "抱歉，你还没有使用本机器人的权限。\n"
        f"请把你的用户 ID <code>{user_id}</code> 发给管理员开通。"
    )


def one_line(text: str, limit: int = 300) -> str:
    """A library error message as one escaped line."""
    flat = " ".join(str(text).split())
    return esc(flat if len(flat) <= limit else flat[: limit - 1] + "…")


# ---------------------------------------------------------------- keyboards and callbacks


def article_key(article_id: str) -> str:
    """A short stable key for an article id; ids can exceed callback_data's 64 bytes."""
    return hashlib.sha1(article_id.encode("utf-8")).hexdigest()[:16]


def parse_callback(data: str | None) -> tuple[str, ...]:
    """("a", key) for an article button, ("v", "up"|"down", answer_key) for a vote."""
    parts = tuple((data or "").split(":"))
    if len(parts) == 2 and parts[0] == "a":
        return parts
    if len(parts) == 3 and parts[0] == "v" and parts[1] in ("up", "down"):
        return parts
    return ()


def _label(prefix: str, title: str) -> str:
    title = title if len(title) <= BUTTON_CHARS else title[: BUTTON_CHARS - 1] + "…"
    return f"{prefix}{title}"


def _article_button(prefix: str, title: str, article_id: str, register: Callable) -> list:
    register(article_id)
    data = f"a:{article_key(article_id)}"
    return [InlineKeyboardButton(_label(prefix, title), callback_data=data)]


def answer_keyboard(
    answer: Answer, answer_key: str, register: Callable[[str], object] = lambda _: None
) -> InlineKeyboardMarkup | None:
    """One button per source article (or suggestion), then 👍 / 👎; none under a reply to a
    greeting or thanks (nothing from the paper to open or judge).

    `register` is told every article id that gets a button, so the caller can map the
    short key back to it.
    """
    if answer.mode == "chat":
        return None
    rows, seen = [], set()
    sources = answer.suggestions[:3] if answer.abstained else answer.citations
    for i, c in enumerate(sources, 1):
        if c.article_id in seen:
            continue
        seen.add(c.article_id)
        prefix = f"{i}. " if answer.abstained else f"[{c.n}] "
        rows.append(_article_button(prefix, c.title, c.article_id, register))
    rows.append(
        [
            InlineKeyboardButton("👍", callback_data=f"v:up:{answer_key}"),
            InlineKeyboardButton("👎", callback_data=f"v:down:{answer_key}"),
        ]
    )
    return InlineKeyboardMarkup(rows)


def articles_keyboard(
    articles: Sequence[Article], register: Callable[[str], object] = lambda _: None
) -> InlineKeyboardMarkup | None:
    """One button per article of an issue listing (Telegram allows 100 buttons a message)."""
    shown = list(enumerate(articles, 1))[:100]
    rows = [_article_button(f"{i}. ", a.title, a.id, register) for i, a in shown]
    return InlineKeyboardMarkup(rows) if rows else None
