"""How the bot talks to the Bot API: Telegram's flood limits, and updates it cannot parse.

Telegram allows about 30 messages a second in all and about one a second in any one chat
(short bursts pass), and answers more with 429 and `retry_after`. `ChatRateLimiter` keeps the
bot under both and retries after a 429, so an answer is late under load but never lost.

`TolerantBot` parses each update of a `getUpdates` batch on its own. python-telegram-bot
parses the batch as a whole, so one update it cannot read made it fetch the same batch again
and again, answering nothing; here that update is logged once and confirmed, and the rest
are served.
"""

from __future__ import annotations

import datetime as dtm
import logging
from typing import Any

from aiolimiter import AsyncLimiter
from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE, DefaultValue
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from rag import Settings

logger = logging.getLogger(__name__)

#: Telegram's documented limits (core.telegram.org/bots/faq#my-bot-is-hitting-limits).
MESSAGES_PER_SECOND = 30
#: Up to three at once in a chat, then one every 1.3 s: sent exactly at 1/s, network jitter
#: would bring two of them to Telegram within the same second. At one every 1.1 s the fourth
#: met a 429 when the first three reached Telegram 0.1 s late (a busy machine's emulator, twice
#: in the twenty-third round).
CHAT_BURST, CHAT_PERIOD = 3, 3.9
GROUP_PER_MINUTE = 20
#: Retries of one request after 429; each waits Telegram's `retry_after`.
MAX_RETRIES = 8
#: Cosmetic calls that must not hold back answers; a lost "typing…" costs nothing.
UNLIMITED = frozenset({"sendChatAction"})


class ChatRateLimiter(AIORateLimiter):
    """PTB's `AIORateLimiter` (overall and group limits, retry after 429) plus a limit per
    private chat, which PTB leaves out."""

    def __init__(
        self,
        per_second: float = MESSAGES_PER_SECOND,
        chat_burst: int = CHAT_BURST,
        chat_period: float = CHAT_PERIOD,
        max_retries: int = MAX_RETRIES,
    ) -> None:
        super().__init__(
            overall_max_rate=per_second,
            overall_time_period=1,
            group_max_rate=GROUP_PER_MINUTE,
            group_time_period=60,
            max_retries=max_retries,
        )
        self.chat_burst, self.chat_period = chat_burst, chat_period
        self.chats: dict[int, AsyncLimiter] = {}

    def _chat_limiter(self, chat_id: int) -> AsyncLimiter:
        if len(self.chats) > 1024:  # forget chats whose budget is full again
            for key, limiter in list(self.chats.items()):
                if limiter.has_capacity(limiter.max_rate):
                    del self.chats[key]
        if chat_id not in self.chats:
            self.chats[chat_id] = AsyncLimiter(self.chat_burst, self.chat_period)
        return self.chats[chat_id]

    async def process_request(
        self,
        callback: Any,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        """Wait for the chat's own budget, then PTB's overall and group limits."""
        if endpoint in UNLIMITED:
            return await callback(*args, **kwargs)
        chat_id = data.get("chat_id")
        if isinstance(chat_id, int) and chat_id > 0:  # private chats; groups are PTB's
            async with self._chat_limiter(chat_id):
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )


class _Polled:
    """Mutable polling state (a Bot is frozen after __init__)."""

    next_offset = 0


class TolerantBot(ExtBot):
    """An `ExtBot` whose polling survives updates it cannot parse."""

    __slots__ = ("_polled",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        with self._unfrozen():
            self._polled = _Polled()

    async def get_updates(
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: int | dtm.timedelta | None = None,
        allowed_updates: Any = None,
        *,
        read_timeout: Any = DEFAULT_NONE,
        write_timeout: Any = DEFAULT_NONE,
        connect_timeout: Any = DEFAULT_NONE,
        pool_timeout: Any = DEFAULT_NONE,
        api_kwargs: dict | None = None,
    ) -> tuple[Update, ...]:
        """`Bot.get_updates`, parsing update by update; bad ones are logged and confirmed."""
        # The Updater confirms only the updates it was given: when the last of a batch could
        # not be parsed, move past it here or it would come back on every call.
        if offset is not None and offset >= 0 and self._polled.next_offset > offset:
            offset = self._polled.next_offset
        data = {
            "timeout": timeout,
            "offset": offset,
            "limit": limit,
            "allowed_updates": allowed_updates,
        }
        # As in Bot.get_updates: a long poll may take `timeout` longer than a normal read.
        if isinstance(read_timeout, DefaultValue):
            read_timeout = self._request[0].read_timeout
        wait = timeout.total_seconds() if isinstance(timeout, dtm.timedelta) else timeout or 0
        raw = await self._post(
            "getUpdates",
            data,
            read_timeout=(read_timeout or 0) + wait,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
            api_kwargs=api_kwargs,
        )
        updates = []
        for item in raw if isinstance(raw, list) else []:
            update_id = item.get("update_id") if isinstance(item, dict) else None
            if isinstance(update_id, int):
                self._polled.next_offset = max(self._polled.next_offset, update_id + 1)
            try:
                update = Update.de_json(item, self)
                if update is None or not isinstance(update.update_id, int):
                    # The Updater computes the next offset from it: it must be a number.
                    raise TypeError("no integer update_id")
            except Exception as err:  # noqa: BLE001 - any malformed field, any type
                logger.warning(
                    "skipped update %s that cannot be parsed (%s: %s): %.500r",
                    update_id, type(err).__name__, err, item,
                )  # fmt: skip
                continue
            self.insert_callback_data(update)
            updates.append(update)
        return tuple(updates)


def make_bot(settings: Settings) -> TolerantBot:
    """The bot the Application uses: rate-limited, tolerant, at TELEGRAM_API_BASE_URL."""
    root = (settings.telegram_api_base_url or "https://api.telegram.org").rstrip("/")
    return TolerantBot(
        token=settings.telegram_bot_token,
        base_url=f"{root}/bot",
        base_file_url=f"{root}/file/bot",
        # What ApplicationBuilder would make: many answers in flight, one long poll.
        request=HTTPXRequest(connection_pool_size=256),
        get_updates_request=HTTPXRequest(connection_pool_size=1),
        rate_limiter=ChatRateLimiter(),
    )
