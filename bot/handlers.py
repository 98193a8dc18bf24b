"""Telegram handlers: parse the update, call the engine off the event loop, render."""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from telegram import Bot, Message, Update
from telegram.constants import ChatAction, ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import render
from bot.access import addressed_text, guard, is_admin, user_id_of
from rag import Conversation, Engine, FeedbackStore, RagError

logger = logging.getLogger(__name__)

ANSWER_CACHE = 1000  # answers kept for 👍/👎; older votes are refused as expired
TYPING_EVERY = 4.0  # seconds; Telegram shows "typing…" for about five

Context = ContextTypes.DEFAULT_TYPE


# ---------------------------------------------------------------- helpers


def _register(context: Context):
    """A callback that remembers which article id a button's short key stands for."""
    table: dict[str, str] = context.bot_data["article_ids"]
    return lambda article_id: table.setdefault(render.article_key(article_id), article_id)


async def _find_article(context: Context, key: str):
    """The article behind a button key; after a restart the table is rebuilt from the index."""
    engine: Engine = context.bot_data["engine"]
    table: dict[str, str] = context.bot_data["article_ids"]
    if key not in table:
        for article in await asyncio.to_thread(engine.articles):
            table.setdefault(render.article_key(article.id), article.id)
    article_id = table.get(key)
    return await asyncio.to_thread(engine.article, article_id) if article_id else None


async def _send_pages(message: Message, pages: list[str], markup=None) -> None:
    """Reply with each page; the keyboard goes under the last one."""
    for i, page in enumerate(pages):
        last = i == len(pages) - 1
        await message.reply_html(page, reply_markup=markup if last else None)


@asynccontextmanager
async def _typing(bot: Bot, chat_id: int) -> AsyncIterator[None]:
    """Show "typing…" until the block ends."""

    async def keep_typing() -> None:
        while True:
            with suppress(TelegramError):
                await bot.send_chat_action(chat_id, ChatAction.TYPING)
            await asyncio.sleep(TYPING_EVERY)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


async def _answer(update: Update, context: Context, question: str) -> None:
    """Ask the engine off the event loop and reply with the rendered answer."""
    if not await guard(update, context):
        return
    message = update.effective_message
    question = question.strip()
    if not question:
        await message.reply_text(
            "请写上问题，例如：/ask 石家庄市交管局的铁骑驾驶技能大比武是哪天举行的？"
        )
        return
    conversation: Conversation = context.chat_data.get("conversation")
    if conversation is None or conversation.engine is not context.bot_data["engine"]:
        conversation = context.chat_data["conversation"] = Conversation(
            context.bot_data["engine"], channel="telegram")
    # The asker, for the audit log; in a group several people share the conversation.
    conversation.user_id = update.effective_user.id if update.effective_user else None
    async with _typing(context.bot, message.chat_id):
        answer = await asyncio.to_thread(conversation.ask, question)
    answers: OrderedDict = context.bot_data["answers"]
    key = secrets.token_hex(6)
    answers[key] = {"question": question, "answer": answer, "voters": set()}
    while len(answers) > ANSWER_CACHE:
        answers.popitem(last=False)
    markup = render.answer_keyboard(answer, key, _register(context))
    await _send_pages(message, render.render_answer(answer), markup)


# ---------------------------------------------------------------- handlers


async def help_command(update: Update, context: Context) -> None:
    """Say what the bot does, with three example questions from the index."""
    if not await guard(update, context):
        return
    examples = await asyncio.to_thread(context.bot_data["engine"].example_questions, 3)
    admin = is_admin(context.bot_data["settings"], user_id_of(update))
    await update.effective_message.reply_html(render.render_help(examples, admin))


async def ask_command(update: Update, context: Context) -> None:
    """Answer `/ask 问题`."""
    parts = (update.effective_message.text or "").split(maxsplit=1)
    await _answer(update, context, parts[1] if len(parts) > 1 else "")


async def private_text(update: Update, context: Context) -> None:
    """In a private chat any text is a question."""
    await _answer(update, context, update.effective_message.text or "")


async def group_text(update: Update, context: Context) -> None:
    """In a group, answer @mentions of the bot and replies to it; stay quiet otherwise."""
    question = addressed_text(update.effective_message, context.bot)
    if question is not None:
        await _answer(update, context, question)


async def private_other(update: Update, context: Context) -> None:
    """Tell private users what the bot understands instead of staying silent."""
    if await guard(update, context):
        await update.effective_message.reply_text("请用文字提问；发送 /help 查看用法。")


async def issues_command(update: Update, context: Context) -> None:
    """List the issues in the index with dates and article counts."""
    if not await guard(update, context):
        return
    issues = await asyncio.to_thread(context.bot_data["engine"].issues)
    await _send_pages(update.effective_message, render.render_issues(issues))


async def issue_command(update: Update, context: Context) -> None:
    """List the articles of one issue: `/issue 831` (or `/issue <file name>`)."""
    if not await guard(update, context):
        return
    message, engine = update.effective_message, context.bot_data["engine"]
    arg = " ".join(context.args or []).strip()
    number = re.fullmatch(r"第?\s*(\d+)\s*期?", arg)
    if not arg:
        await message.reply_text("用法：/issue 831（期号见 /issues）")
        return
    if number:
        articles = await asyncio.to_thread(engine.articles, issue=int(number.group(1)))
        label = f"第{number.group(1)}期"
    else:
        articles = await asyncio.to_thread(engine.articles, source=arg)
        label = arg
    if not articles:
        await message.reply_text(f"索引里没有 {label}。发送 /issues 查看全部各期。")
        return
    date = next((a.date for a in articles if a.date), None)
    label += f" · {date}" if date else ""
    markup = render.articles_keyboard(articles, _register(context))
    await _send_pages(message, render.render_issue_articles(label, articles), markup)


async def new_command(update: Update, context: Context) -> None:
    """Forget this chat's conversation history."""
    if not await guard(update, context):
        return
    context.chat_data.pop("conversation", None)
    await update.effective_message.reply_text("好的，已开始新的对话。")


async def article_button(update: Update, context: Context) -> None:
    """Send the full text of the article behind a source button."""
    query = update.callback_query
    if not await guard(update, context):
        return
    await query.answer()
    parsed = render.parse_callback(query.data)
    article = await _find_article(context, parsed[1]) if parsed else None
    chat_id = update.effective_chat.id
    if article is None:
        await context.bot.send_message(chat_id, "找不到这篇文章了，索引可能已经更新。")
        return
    for page in render.render_article(article):
        await context.bot.send_message(chat_id, page, parse_mode=ParseMode.HTML)


async def vote_button(update: Update, context: Context) -> None:
    """Store 👍 / 👎 with the question, the answer and its citations."""
    query = update.callback_query
    if not await guard(update, context):
        return
    parsed = render.parse_callback(query.data)
    entry = context.bot_data["answers"].get(parsed[2]) if parsed else None
    if entry is None:
        await query.answer("这条回答已过期，无法评价。")
        return
    user_id = user_id_of(update)
    if user_id in entry["voters"]:
        await query.answer("你已经评价过这条回答了。")
        return
    entry["voters"].add(user_id)
    store: FeedbackStore = context.bot_data["feedback"]
    await asyncio.to_thread(
        store.record,
        user_id,
        update.effective_chat.id,
        entry["question"],
        entry["answer"],
        parsed[1],
    )
    await query.answer("谢谢反馈！")


async def stale_button(update: Update, context: Context) -> None:
    """Answer button presses the bot no longer understands, so the client stops spinning."""
    await update.callback_query.answer()


async def error_handler(update: object, context: Context) -> None:
    """Log the error; tell the user in one line, never with a traceback."""
    error = context.error
    if isinstance(error, RagError):
        logger.warning("library error: %s", error)
        text = "⚠️ " + render.one_line(str(error))
    else:
        logger.error("error while handling an update", exc_info=error)
        text = "抱歉，处理时出错了，请稍后再试。"
    if not isinstance(update, Update):
        return
    if update.callback_query:
        with suppress(TelegramError):
            await update.callback_query.answer()
    if update.effective_chat:
        with suppress(TelegramError):
            await context.bot.send_message(update.effective_chat.id, text, parse_mode="HTML")
