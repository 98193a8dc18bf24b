"""A small Telegram Bot API server for end-to-end tests of the bot, over real HTTP.

It answers `{root}/bot{token}/{method}` with the JSON shapes of the Bot API documentation, so
an unmodified python-telegram-bot Application can poll it (point it there with
TELEGRAM_API_BASE_URL / `base_url`). Tests inject user messages and button presses as
updates and await what the bot sends back::

    emu = BotApiEmulator()
    root = await emu.start()                      # http://127.0.0.1:<free port>
    mark = emu.count(101)                         # messages the bot sent user 101 so far
    emu.send_text(101, "铁骑比武是哪天？")          # private chat with user 101
    [reply] = await emu.wait_replies(101, after=mark)
    emu.press(101, reply, reply["reply_markup"]["inline_keyboard"][0][0]["callback_data"])

Recorded messages hold "text" as Telegram shows it (HTML parsed) and "html" as sent.

Like Telegram, it rejects HTML it cannot parse and texts over 4,096 characters with a 400,
so rendering mistakes fail the tests instead of passing silently. Unknown methods are
logged and answered with ``true``.

With ``limits=FloodLimits()`` it enforces flood limits like Telegram: beyond them a sending
method is answered 429 with ``parameters.retry_after`` (recorded in ``throttled``). It serves
files too: ``send_document`` injects a document message whose file the bot fetches with
``getFile`` and ``{root}/file/bot{token}/{file_path}`` (recorded in ``downloads``);
``send_raw`` injects any update, even one no client could parse.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import logging
import math
import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace

from aiohttp import web

logger = logging.getLogger(__name__)

MAX_TEXT = 4096
# Parameters the Bot API types as strings; PTB sends every other value JSON-encoded.
_STRING_PARAMS = {
    "text", "parse_mode", "callback_query_id", "action", "url", "language_code",
    "inline_message_id", "caption", "business_connection_id", "description",
}  # fmt: skip
_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
    "code", "pre", "blockquote", "tg-emoji",
}  # fmt: skip
_MARKUP = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>|&(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);"
)


#: Methods that send or change a message: the ones Telegram's flood limits count.
_LIMITED = {
    "sendmessage", "editmessagetext", "editmessagereplymarkup", "senddocument", "sendphoto",
    "copymessage", "forwardmessage",
}  # fmt: skip


class ApiError(Exception):
    """A Bot API error answer: {"ok": false, "error_code": ..., "description": ...}."""

    def __init__(self, code: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


@dataclass
class FloodLimits:
    """Token buckets, as Telegram documents its limits: ~30 messages/s in all, ~1/s a chat.

    Telegram does not promise a whole second's worth at once, so the overall bucket holds
    fewer (`burst`) than a client pacing itself at 30/s may send in a burst: a surge of
    answers then meets 429s, and the client must wait `retry_after` and send again.
    """

    per_second: float = 30
    burst: float = 10
    chat_per_second: float = 1
    chat_burst: float = 3


class _Bucket:
    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst, self.tokens, self.at = rate, burst, burst, time.monotonic()

    def wait(self) -> float:
        """Seconds until one token is there (0 if it is there now)."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> str:
    """The plain text Telegram would show for `text` in HTML mode, or ApiError 400."""
    out, stack, pos = [], [], 0
    for m in _MARKUP.finditer(text):
        out.append(text[pos : m.start()])
        pos = m.end()
        if m.group(4):  # an entity
            out.append(html.unescape(m.group(0)))
            continue
        closing, tag = m.group(1), m.group(2).lower()
        if tag not in _TAGS:
            raise ApiError(400, f"Bad Request: can't parse entities: unsupported tag <{tag}>")
        if not closing:
            stack.append(tag)
        elif not stack or stack.pop() != tag:
            raise ApiError(400, f"Bad Request: can't parse entities: unmatched </{tag}>")
    out.append(text[pos:])
    plain = "".join(out)
    if stack:
        raise ApiError(400, f"Bad Request: can't parse entities: unclosed <{stack[-1]}>")
    # Any "<" or "&" left over was not escaped: Telegram refuses the message.
    leftover = _MARKUP.sub("", text)
    if "<" in leftover or ">" in leftover or "&" in leftover:
        raise ApiError(400, "Bad Request: can't parse entities: unescaped '<', '>' or '&'")
    return plain


def _entities(text: str) -> list[dict]:
    """bot_command and mention entities with UTF-16 offsets, as Telegram computes them."""
    found = []
    for m in re.finditer(r"(?:^/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?)|@[A-Za-z0-9_]{5,}", text):
        kind = "bot_command" if m.group(0).startswith("/") else "mention"
        offset = utf16_len(text[: m.start()])
        found.append({"type": kind, "offset": offset, "length": utf16_len(m.group(0))})
    return found


class BotApiEmulator:
    """An in-process Bot API server with a recorder of everything the bot sent."""

    def __init__(
        self,
        token: str = "123456:TEST-token",
        bot_id: int = 999000,
        username: str = "gazk_bot",
        limits: FloodLimits | None = None,
    ) -> None:
        self.token, self.bot_id, self.username, self.limits = token, bot_id, username, limits
        self.bot_user = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "周刊问答",
            "username": username,
        }
        self.updates: list[dict] = []
        self.sent: dict[int, list[dict]] = defaultdict(list)  # chat id -> bot's messages
        self.messages: dict[tuple[int, int], dict] = {}  # (chat id, message id) -> message
        self.calls: list[tuple[str, dict]] = []
        self.chat_actions: list[dict] = []
        self.callback_answers: dict[str, dict] = {}
        self.commands: dict[str, list[dict]] = {}  # scope as JSON -> commands
        self.unknown_methods: list[str] = []
        self.errors: list[tuple[str, str]] = []  # (method, description) of 4xx answers
        self.throttled: list[tuple[str, int]] = []  # (method, chat id) answered 429
        self.edits: dict[int, list[dict]] = defaultdict(list)  # chat id -> edited messages
        self.files: dict[str, tuple[str, bytes]] = {}  # file id -> (file path, content)
        self.downloads: list[str] = []  # file paths the bot fetched
        self._overall: _Bucket | None = None
        self._chats: dict[int, _Bucket] = {}
        self._ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count] = defaultdict(lambda: itertools.count(1))
        self._changed: asyncio.Condition | None = None
        self._runner: web.AppRunner | None = None
        self.root = ""

    # ------------------------------------------------------------ server

    async def start(self) -> str:
        """Listen on a free port of 127.0.0.1; return the root URL."""
        self._changed = asyncio.Condition()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.root = f"http://{host}:{port}"
        return self.root

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params = await self._params(request)
        self.calls.append((method, params))
        handler = getattr(self, f"_m_{method.lower()}", None)
        try:
            if handler is None:
                logger.warning("emulator: unknown method %s %s", method, params)
                self.unknown_methods.append(method)
                result: object = True
            else:
                self._check_flood(method, params)
                result = await handler(params)
        except ApiError as err:
            self.errors.append((method, err.description))
            body = {"ok": False, "error_code": err.code, "description": err.description}
            if err.parameters:
                body["parameters"] = err.parameters
            return web.json_response(body, status=err.code)
        finally:
            await self._notify()
        return web.json_response({"ok": True, "result": result})

    def _check_flood(self, method: str, params: dict) -> None:
        """Answer 429 beyond the limits; a request let through takes a token of each bucket."""
        if self.limits is None or method.lower() not in _LIMITED or "chat_id" not in params:
            return
        chat_id, lim = int(params["chat_id"]), self.limits
        if self._overall is None:
            self._overall = _Bucket(lim.per_second, lim.burst)
        chat = self._chats.setdefault(chat_id, _Bucket(lim.chat_per_second, lim.chat_burst))
        wait = max(self._overall.wait(), chat.wait())
        if wait > 0:
            self.throttled.append((method, chat_id))
            after = max(1, math.ceil(wait))  # Telegram counts whole seconds
            raise ApiError(
                429, f"Too Many Requests: retry after {after}", {"retry_after": after}
            )
        self._overall.tokens -= 1
        chat.tokens -= 1

    async def _download(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        found = [content for p, content in self.files.values() if p == path]
        if request.match_info["token"] != self.token or not found:
            return web.Response(status=404, text="Not Found")
        self.downloads.append(path)
        return web.Response(body=found[0], content_type="application/octet-stream")

    @staticmethod
    async def _params(request: web.Request) -> dict:
        if request.content_type == "application/json":
            return dict(await request.json())
        params = {}
        for key, value in (await request.post()).items():
            if isinstance(value, str) and key not in _STRING_PARAMS:
                with contextlib.suppress(ValueError):
                    value = json.loads(value)
            params[key] = value
        return params

    # ------------------------------------------------------------ Bot API methods

    async def _m_getme(self, p: dict) -> dict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_deletewebhook(self, p: dict) -> bool:
        return True

    async def _m_getwebhookinfo(self, p: dict) -> dict:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}

    async def _m_getupdates(self, p: dict) -> list[dict]:
        offset, limit = int(p.get("offset") or 0), int(p.get("limit") or 100)
        timeout = float(p.get("timeout") or 0)
        # Telegram forgets updates below the offset: that is how a client confirms them.
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates and timeout > 0:
            async with self._changed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait_for(lambda: self.updates), timeout)
        return self.updates[:limit]

    async def _m_sendmessage(self, p: dict) -> dict:
        chat_id = int(p["chat_id"])
        raw = str(p.get("text", ""))
        plain = parse_html(raw) if str(p.get("parse_mode", "")).upper() == "HTML" else raw
        if not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(plain) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        reply_to = (p.get("reply_parameters") or {}).get("message_id") or p.get(
            "reply_to_message_id"
        )
        message = {
            "message_id": next(self._message_ids[chat_id]),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": self.bot_user,
            "text": plain,
        }
        if reply_to and (chat_id, int(reply_to)) in self.messages:
            message["reply_to_message"] = self.messages[(chat_id, int(reply_to))]
        if p.get("reply_markup"):
            message["reply_markup"] = p["reply_markup"]
        self.messages[(chat_id, message["message_id"])] = message
        # The recorder keeps what was sent as well as what Telegram would show.
        self.sent[chat_id].append({**message, "html": raw, "parse_mode": p.get("parse_mode")})
        return message

    async def _m_editmessagetext(self, p: dict) -> dict:
        message = self._existing(p)
        raw = str(p.get("text", ""))
        message["text"] = parse_html(raw) if p.get("parse_mode") == "HTML" else raw
        if utf16_len(message["text"]) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        if "reply_markup" in p:
            message["reply_markup"] = p["reply_markup"]
        self.edits[message["chat"]["id"]].append({**message, "html": raw})
        return message

    async def _m_getfile(self, p: dict) -> dict:
        file_id = str(p.get("file_id", ""))
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        path, content = self.files[file_id]
        if len(content) > 20 * 1024 * 1024:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(content),
            "file_path": path,
        }

    async def _m_editmessagereplymarkup(self, p: dict) -> dict:
        message = self._existing(p)
        message["reply_markup"] = p.get("reply_markup") or {"inline_keyboard": []}
        return message

    async def _m_answercallbackquery(self, p: dict) -> bool:
        query_id = str(p["callback_query_id"])
        if query_id in self.callback_answers:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired")
        self.callback_answers[query_id] = p
        return True

    async def _m_sendchataction(self, p: dict) -> bool:
        self.chat_actions.append(p)
        return True

    async def _m_setmycommands(self, p: dict) -> bool:
        scope = json.dumps(p.get("scope") or {"type": "default"}, sort_keys=True)
        self.commands[scope] = p.get("commands") or []
        return True

    async def _m_getmycommands(self, p: dict) -> list[dict]:
        return self.commands.get(json.dumps({"type": "default"}), [])

    async def _m_deletemycommands(self, p: dict) -> bool:
        return True

    def _existing(self, p: dict) -> dict:
        key = (int(p["chat_id"]), int(p["message_id"]))
        if key not in self.messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        return self.messages[key]

    def _chat(self, chat_id: int) -> dict:
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"用户{chat_id}"}
        return {"id": chat_id, "type": "supergroup", "title": f"测试群{chat_id}"}

    # ------------------------------------------------------------ injecting updates

    def user(self, user_id: int) -> dict:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": f"用户{user_id}",
            "language_code": "zh",
        }

    def _push(self, update: dict) -> None:
        update["update_id"] = next(self._ids)
        self.updates.append(update)
        # Wake a pending getUpdates; scheduled so that this method can stay synchronous.
        asyncio.get_running_loop().create_task(self._notify())

    def send_text(
        self, user_id: int, text: str, chat_id: int | None = None, reply_to: dict | None = None
    ) -> dict:
        """Inject a text message from `user_id` (into their private chat unless `chat_id`)."""
        chat_id = user_id if chat_id is None else chat_id
        message = {
            "message_id": next(self._message_ids[chat_id]),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": self.user(user_id),
            "text": text,
        }
        if entities := _entities(text):
            message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        self.messages[(chat_id, message["message_id"])] = message
        self._push({"message": message})
        return message

    def send_document(
        self, user_id: int, file_name: str | None, content: bytes, chat_id: int | None = None
    ) -> dict:
        """Inject a document message; its file can then be fetched through getFile."""
        chat_id = user_id if chat_id is None else chat_id
        file_id = f"doc{next(self._ids)}"
        self.files[file_id] = (f"documents/file_{len(self.files)}", content)
        document = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(content)}
        if file_name is not None:
            document["file_name"] = file_name
        message = {
            "message_id": next(self._message_ids[chat_id]),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": self.user(user_id),
            "document": document,
        }
        self.messages[(chat_id, message["message_id"])] = message
        self._push({"message": message})
        return message

    def send_raw(self, update: dict) -> int:
        """Inject any update, even a malformed one; return its update_id."""
        self._push(update)
        return update["update_id"]

    def press(self, user_id: int, message: dict, data: str) -> str:
        """Inject a press on an inline button of `message`; return the callback query id."""
        query_id = str(next(self._ids) * 1000 + user_id)
        query = {
            "id": query_id,
            "from": self.user(user_id),
            "message": message,
            "chat_instance": f"ci{message['chat']['id']}",
            "data": data,
        }
        self._push({"callback_query": query})
        return query_id

    # ------------------------------------------------------------ awaiting the bot

    async def wait_for(self, predicate: Callable[[], object], timeout: float = 60) -> object:
        """Wait until `predicate()` is truthy (checked after every API call); return it."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout)
        return predicate()

    def count(self, chat_id: int) -> int:
        return len(self.sent[chat_id])

    async def wait_replies(
        self, chat_id: int, n: int = 1, after: int = 0, timeout: float = 60
    ) -> list[dict]:
        """The `n` messages the bot sends to `chat_id` after the first `after` (see `count`)."""
        await self.wait_for(lambda: len(self.sent[chat_id]) >= after + n, timeout)
        return self.sent[chat_id][after : after + n]

    def replies_to(self, message: dict) -> list[dict]:
        """The bot's messages sent as replies to `message` (groups quote the question)."""
        chat = self.sent[message["chat"]["id"]]
        target = message["message_id"]
        return [m for m in chat if m.get("reply_to_message", {}).get("message_id") == target]

    async def wait_edit(
        self, chat_id: int, predicate: Callable[[dict], object], timeout: float = 60
    ) -> dict:
        """The first edit in `chat_id` for which `predicate(message)` holds."""

        def found():
            return next((m for m in self.edits[chat_id] if predicate(m)), None)

        return await self.wait_for(found, timeout)

    async def wait_callback_answer(self, query_id: str, timeout: float = 30) -> dict:
        """The bot's answerCallbackQuery parameters for the press `query_id`."""
        await self.wait_for(lambda: query_id in self.callback_answers, timeout)
        return self.callback_answers[query_id]

    async def drained(self, timeout: float = 30) -> None:
        """Wait until the bot has fetched and confirmed every injected update."""
        await self.wait_for(lambda: not self.updates, timeout)


@contextlib.asynccontextmanager
async def running_bot(emu: BotApiEmulator, settings, engine):
    """Start `emu`, then the real Application polling it with `settings`; yield the application."""
    from bot.app import build_application

    root = await emu.start()
    app = build_application(replace(settings, telegram_api_base_url=root), engine=engine)
    await app.initialize()
    await app.post_init(app)
    await app.updater.start_polling(timeout=5, poll_interval=0)
    await app.start()
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await emu.stop()
