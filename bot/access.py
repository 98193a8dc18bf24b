"""Who may ask, and when the bot is being spoken to. Deny by default.

Admins and users in ALLOWED_USER_IDS may ask anywhere; anyone writing inside a group listed
in ALLOWED_CHAT_IDS may ask there. Everyone else is refused with their numeric id, so an
admin can add them. In groups the bot only listens to /ask, @mentions and replies to it.
"""

from __future__ import annotations

import logging
import re

from telegram import Bot, Message, MessageEntity, Update
from telegram.ext import ContextTypes

from bot import render
from rag import Settings

logger = logging.getLogger(__name__)


def is_admin(settings: Settings, user_id: int | None) -> bool:
    """True for users in ADMIN_USER_IDS."""
    return user_id is not None and user_id in settings.admin_user_ids


def may_ask(settings: Settings, user_id: int | None, chat_id: int | None) -> bool:
    """True if this user, writing in this chat, gets answers."""
    if user_id is not None and (
        user_id in settings.allowed_user_ids or user_id in settings.admin_user_ids
    ):
        return True
    # A private chat's id equals the user's id, so listing a user's id in ALLOWED_CHAT_IDS
    # also works; group ids are negative and cannot collide with user ids.
    return chat_id is not None and chat_id in settings.allowed_chat_ids


def user_id_of(update: Update) -> int | None:
    """The sender's numeric id, if the update has a sender."""
    return update.effective_user.id if update.effective_user else None


async def guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """True if the sender may ask here; otherwise refuse, showing their id, and return False."""
    settings: Settings = context.bot_data["settings"]
    user_id, chat = user_id_of(update), update.effective_chat
    if may_ask(settings, user_id, chat.id if chat else None):
        return True
    logger.info("refused user %s in chat %s", user_id, chat.id if chat else None)
    if update.callback_query:
        await update.callback_query.answer(
            f"抱歉，你没有使用权限（用户 ID {user_id}）。", show_alert=True
        )
    elif update.effective_message:
        await update.effective_message.reply_html(render.refusal_text(user_id))
    return False


async def admin_guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """True for admins; anyone else is told the command is for admins."""
    if is_admin(context.bot_data["settings"], user_id_of(update)):
        return True
    if update.effective_message:
        await update.effective_message.reply_text("只有管理员可以使用这个命令。")
    return False


def addressed_text(message: Message, bot: Bot) -> str | None:
    """The question if a group message @mentions the bot or replies to it, else None."""
    text = message.text or ""
    mention = f"@{bot.username}".lower()
    mentioned = any(
        value.lower() == mention or (entity.user is not None and entity.user.id == bot.id)
        for entity, value in message.parse_entities(
            [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
        ).items()
    )
    reply = message.reply_to_message
    replied = bool(reply and reply.from_user and reply.from_user.id == bot.id)
    if not (mentioned or replied):
        return None
    return re.sub(re.escape(mention), " ", text, flags=re.IGNORECASE).strip()
