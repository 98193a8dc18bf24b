"""Admin handlers: index statistics, rebuilding, adding an issue file sent to the bot, removing.

An uploaded file is checked against the size limit before it is downloaded, stored under the
index folder's own `uploads/` with a name the bot makes (the sender's name is never a path),
and added with `rag.add_files`; /reindex adds the uploads again after rebuilding from the
corpus, so an issue that arrived through Telegram survives a rebuild.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
import time
import unicodedata
from pathlib import Path

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import render
from bot.access import admin_guard, guard, is_admin, user_id_of
from rag import Engine, NotIndexedError, RagError, Settings, add_files, build_index, remove_source

logger = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

UPLOADS = "uploads"  # folder inside INDEX_DIR
ISSUE_SUFFIXES = (".txt", ".md", ".pdf")
#: Bots can fetch files of at most 20 MB through getFile, whatever MAX_FILE_MB says.
TELEGRAM_DOWNLOAD_MB = 20
NAME_CHARS = 80


def uploads_dir(settings: Settings) -> Path:
    return Path(settings.index_dir) / UPLOADS


def limit_bytes(settings: Settings) -> int:
    """The largest file an admin may upload (MAX_FILE_MB, capped by Telegram's 20 MB)."""
    return int(min(settings.max_file_mb, TELEGRAM_DOWNLOAD_MB) * 1024 * 1024)


def safe_name(name: str | None) -> str:
    """A plain file name made from the sender's: no folders, control characters or dots first.

    `../../x.txt` becomes `x.txt`; an empty or unusable name becomes `upload`.
    """
    base = re.split(r"[\\/]", unicodedata.normalize("NFKC", name or ""))[-1]  # ／ too
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")  # controls, BOM…
    base = re.sub(r"[^\w.\-]+", "_", base.strip())  # \w keeps 汉字
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem.strip("._-")[:NAME_CHARS] or "upload"
    return f"{stem}.{suffix.lower()}" if suffix else stem


def store_upload(folder: Path, name: str, content: bytes) -> tuple[Path, bool]:
    """Write `content` as folder/name, or name-2, name-3… if a different file has that name.

    Returns the path and whether it is new; an identical file already there is reused, so
    sending the same issue twice reaches the index as the same file.
    """
    folder.mkdir(parents=True, exist_ok=True)
    stem, suffix = Path(name).stem, Path(name).suffix
    for i in itertools.count(1):
        path = folder / (name if i == 1 else f"{stem}-{i}{suffix}")
        if path.resolve().parent != folder.resolve():  # cannot happen with safe_name; be sure
            raise ValueError(f"unsafe upload name {name!r}")
        try:
            with open(path, "xb") as out:  # exclusive: two uploads never share a file
                out.write(content)
            return path, True
        except FileExistsError:
            if path.read_bytes() == content:
                return path, False
    raise AssertionError("unreachable")


async def _edit(progress: Message, text: str) -> None:
    try:
        await progress.edit_text(text, parse_mode=ParseMode.HTML)
    except TelegramError as err:  # the admin still gets the log line
        logger.warning("cannot update the upload message: %s", err)


# ---------------------------------------------------------------- handlers


async def document_upload(update: Update, context: Context) -> None:
    """Add the issue file an admin sent to the index; refuse anyone else's files."""
    message, settings = update.effective_message, context.bot_data["settings"]
    if not is_admin(settings, user_id_of(update)):
        if await guard(update, context):  # strangers get guard's refusal with their id
            await message.reply_text("只有管理员可以上传期刊文件；提问请直接发送文字。")
        return
    document = message.document
    name = safe_name(document.file_name)
    if Path(name).suffix not in ISSUE_SUFFIXES:
        await message.reply_text("只接受 .txt、.md 或 .pdf 格式的期刊文件。")
        return
    limit = limit_bytes(settings)
    size = document.file_size
    if size is not None and size > limit:  # refused before anything is downloaded
        await message.reply_text(render.too_large(size, limit))
        return
    progress = await message.reply_html(render.upload_progress(name, size, "正在下载"))
    try:
        file = await context.bot.get_file(document.file_id)
        content = bytes(await file.download_as_bytearray())
    except TelegramError as err:
        await _edit(progress, "❌ 下载失败：" + render.one_line(str(err)))
        return
    if len(content) > limit:
        await _edit(progress, "❌ " + render.too_large(len(content), limit))
        return
    await _add_upload(context, progress, name, content)


async def _add_upload(context: Context, progress: Message, name: str, content: bytes) -> None:
    settings: Settings = context.bot_data["settings"]
    engine: Engine = context.bot_data["engine"]
    started, stored, result = time.monotonic(), None, None
    try:
        stored = await asyncio.to_thread(store_upload, uploads_dir(settings), name, content)
        await _edit(progress, render.upload_progress(name, len(content), "正在解析、建索引"))
        result = await asyncio.to_thread(add_files, [stored[0]], settings.index_dir, settings)
        await asyncio.to_thread(engine.reload)
    except RagError as err:
        logger.warning("upload %s refused: %s", name, err)
        text = "❌ " + render.one_line(str(err))
    except Exception:
        logger.exception("adding upload %s crashed", name)
        text = "❌ 处理失败（内部错误，详见日志）。"
    else:
        logger.info("upload %s: %s", stored[0].name, render.add_summary(result))
        text = render.render_upload(stored[0].name, result, time.monotonic() - started)
    finally:
        indexed = bool(result and (result.get("added") or result.get("replaced")))
        if stored and stored[1] and not indexed:  # uploads/ holds only indexed files
            stored[0].unlink(missing_ok=True)
    await _edit(progress, text)


async def remove_command(update: Update, context: Context) -> None:
    """Take an issue out of the index: `/remove 856` or `/remove <file name>` (admins)."""
    if not await admin_guard(update, context):
        return
    message, settings = update.effective_message, context.bot_data["settings"]
    arg = " ".join(context.args or []).strip()
    if not arg:
        await message.reply_text("用法：/remove 856 或 /remove 文件名（见 /issues）")
        return
    try:
        result = await asyncio.to_thread(remove_source, arg, settings.index_dir, settings)
        await asyncio.to_thread(context.bot_data["engine"].reload)
    except NotIndexedError as err:
        await message.reply_html(render.render_not_indexed(err.target, err.matches))
        return
    except RagError as err:
        await message.reply_html("❌ " + render.one_line(str(err)))
        return
    removed = result.get("removed")
    for source in removed if isinstance(removed, list) else [removed]:
        # An uploaded file left behind would come back at the next /reindex.
        if source and (uploads_dir(settings) / Path(str(source)).name).is_file():
            (uploads_dir(settings) / Path(str(source)).name).unlink()
    await message.reply_html(render.render_removed(arg, result))


async def stats_command(update: Update, context: Context) -> None:
    """Show index statistics (admins)."""
    if not await admin_guard(update, context):
        return
    stats = await asyncio.to_thread(context.bot_data["engine"].stats)
    for page in render.render_stats(stats):
        await update.effective_message.reply_html(page)


async def reindex_command(update: Update, context: Context) -> None:
    """Rebuild the index from the corpus (and uploads) in a worker thread, then switch to it."""
    if not await admin_guard(update, context):
        return
    message, settings = update.effective_message, context.bot_data["settings"]
    engine: Engine = context.bot_data["engine"]
    lock: asyncio.Lock = context.bot_data["reindex_lock"]
    if lock.locked():
        await message.reply_text("索引正在重建中，请稍候。")
        return
    async with lock:
        await message.reply_text("开始从语料重建索引，期间可以照常提问……")
        started = time.monotonic()
        try:
            summary = await asyncio.to_thread(_rebuild, settings)
            await asyncio.to_thread(engine.reload)
            # The engine may already have picked the new build up by itself; what matters is
            # which build it serves now.
            serving = (await asyncio.to_thread(engine.stats)).get("build")
        except RagError as err:
            logger.warning("reindex failed: %s", err)
            await message.reply_html("❌ 重建失败，继续使用旧索引：" + render.one_line(str(err)))
            return
        except Exception:
            # The old index is untouched whatever went wrong; say so rather than a bare apology.
            logger.exception("reindex crashed")
            await message.reply_text("❌ 重建失败（内部错误，详见日志），继续使用旧索引。")
            return
    built = (summary or {}).get("build")
    if not built or built == serving:
        state = "✅ 新索引已启用"
    else:
        state = "⚠️ 索引已重建，但仍在使用旧版本（详见日志）"
    title = f"{state}（用时 {time.monotonic() - started:.0f} 秒）"
    for page in render.render_stats(summary or {}, title=title):
        await message.reply_html(page)


def _rebuild(settings: Settings) -> dict:
    """build_index from the corpus, then add the uploaded issues back."""
    summary = build_index(settings.corpus_dir, settings.index_dir, settings)
    uploads = uploads_dir(settings)
    if uploads.is_dir() and any(p.suffix in ISSUE_SUFFIXES for p in uploads.iterdir()):
        added = add_files([uploads], settings.index_dir, settings)
        summary = {**summary, **{k: v for k, v in added.items() if k != "warnings"},
                   "warnings": summary.get("warnings", []) + added.get("warnings", [])}  # fmt: skip
    return summary
