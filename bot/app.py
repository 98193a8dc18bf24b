"""Telegram bot answering questions about 公安周刊 with citations.

Usage::

    python -m bot

Settings come from `.env` or the environment: TELEGRAM_BOT_TOKEN, INDEX_DIR, CORPUS_DIR,
ALLOWED_USER_IDS, ALLOWED_CHAT_IDS, ADMIN_USER_IDS, MAX_FILE_MB and, optionally,
TELEGRAM_API_BASE_URL (root of a self-hosted Bot API server). In a private chat any text is a
question; in a group the bot answers /ask 问题, an @mention, or a reply to one of its messages.
An admin adds an issue by sending its file and takes one out with /remove. Sending stays
within Telegram's flood limits (see `bot.transport`). Ctrl-C stops it.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections import OrderedDict

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.admin import document_upload, reindex_command, remove_command, stats_command
from bot.handlers import (
    article_button,
    ask_command,
    error_handler,
    group_text,
    help_command,
    issue_command,
    issues_command,
    new_command,
    private_other,
    private_text,
    stale_button,
    vote_button,
)
from bot.transport import make_bot
from rag import Engine, FeedbackStore, RagError, Settings

logger = logging.getLogger(__name__)

PUBLIC_COMMANDS = [
    BotCommand("ask", "提问，例如 /ask 铁骑比武是哪天举行的"),
    BotCommand("issues", "索引中的各期"),
    BotCommand("issue", "某一期的文章，例如 /issue 831"),
    BotCommand("new", "开始新的对话"),
    BotCommand("help", "使用说明和示例问题"),
    BotCommand("start", "开始"),
]
ADMIN_COMMANDS = [
    BotCommand("stats", "索引统计（管理员）"),
    BotCommand("reindex", "从语料重建索引（管理员）"),
    BotCommand("remove", "从索引中移除一期，例如 /remove 856（管理员）"),
]


# ---------------------------------------------------------------- wiring


async def post_init(application: Application) -> None:
    """Load the index once, open the feedback store and register the command menu."""
    data, settings = application.bot_data, application.bot_data["settings"]
    if "engine" not in data:
        data["engine"] = await asyncio.to_thread(Engine.load, settings.index_dir, settings)
    data.setdefault("feedback", FeedbackStore.for_index(settings.index_dir))
    data.setdefault("answers", OrderedDict())
    data.setdefault("article_ids", {})
    data["reindex_lock"] = asyncio.Lock()
    await application.bot.set_my_commands(PUBLIC_COMMANDS)
    for admin_id in settings.admin_user_ids:
        # Fails until the admin has opened a chat with the bot; the public menu still works.
        try:
            scope = BotCommandScopeChat(admin_id)
            await application.bot.set_my_commands(PUBLIC_COMMANDS + ADMIN_COMMANDS, scope=scope)
        except TelegramError as err:
            logger.warning("cannot set admin commands for %s: %s", admin_id, err)
    logger.info("bot @%s ready, index %s", application.bot.username, settings.index_dir)


def build_application(settings: Settings, engine: Engine | None = None) -> Application:
    """The bot's Application; `engine` skips loading the index in post_init (tests)."""
    application = (
        Application.builder()
        .bot(make_bot(settings))
        .post_init(post_init)
        .concurrent_updates(True)  # several people asking at once are all answered
        .build()
    )
    application.bot_data["settings"] = settings
    if engine is not None:
        application.bot_data["engine"] = engine

    application.add_handler(CommandHandler(["start", "help"], help_command))
    application.add_handler(CommandHandler("ask", ask_command))
    application.add_handler(CommandHandler("issues", issues_command))
    application.add_handler(CommandHandler("issue", issue_command))
    application.add_handler(CommandHandler("new", new_command))
    application.add_handler(CommandHandler("stats", stats_command))
    application.add_handler(CommandHandler("reindex", reindex_command))
    application.add_handler(CommandHandler("remove", remove_command))
    application.add_handler(
        MessageHandler(filters.Document.ALL & filters.ChatType.PRIVATE, document_upload)
    )
    text = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
    application.add_handler(MessageHandler(text & filters.ChatType.PRIVATE, private_text))
    application.add_handler(MessageHandler(text & filters.ChatType.GROUPS, group_text))
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & ~filters.StatusUpdate.ALL,
            private_other,
        )
    )
    application.add_handler(CallbackQueryHandler(article_button, pattern=r"^a:"))
    application.add_handler(CallbackQueryHandler(vote_button, pattern=r"^v:"))
    application.add_handler(CallbackQueryHandler(stale_button))
    application.add_error_handler(error_handler)
    return application


def _no_bootstrap_traceback(record: logging.LogRecord) -> bool:
    # main() reports a failed start-up in one line; PTB would add a traceback to the log.
    return not record.getMessage().startswith("Network Retry Loop (Bootstrap")


def main() -> int:
    """Run the bot until Ctrl-C; return the process exit code."""
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("telegram.ext").addFilter(_no_bootstrap_traceback)
    try:
        settings = Settings.from_env()
    except RagError as err:  # a malformed setting: one line naming it, no traceback
        print(f"error: {err}", file=sys.stderr)
        return 2
    if not settings.telegram_bot_token.strip():
        print(
            "error: TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and put "
            "TELEGRAM_BOT_TOKEN=... in .env",
            file=sys.stderr,
        )
        return 2
    try:
        build_application(settings).run_polling(
            allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY]
        )
    except RagError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except InvalidToken:
        print(
            "error: Telegram rejected TELEGRAM_BOT_TOKEN; check it with @BotFather",
            file=sys.stderr,
        )
        return 1
    except NetworkError as err:
        where = settings.telegram_api_base_url or "https://api.telegram.org"
        print(f"error: cannot reach the Telegram Bot API at {where}: {err}", file=sys.stderr)
        return 1
    except TelegramError as err:
        print(f"error: Telegram Bot API: {err}", file=sys.stderr)
        return 1
    return 0
