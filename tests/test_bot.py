"""End to end: the real bot Application, polling a Bot API emulator over HTTP, on a real index.

The index is built once per session from a copy of corpus/ plus one extra issue (第999期)
holding a 5,000-character article, so that the article button has something to split.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import shutil
import signal
import socket
import sqlite3
import sys
import threading
from dataclasses import fields, replace
from pathlib import Path

import pytest
import pytest_asyncio
from bot_emulator import BotApiEmulator, running_bot

from rag import Engine, Settings, build_index
from rag.feedback import FEEDBACK_FILE

pytestmark = pytest.mark.asyncio(loop_scope="module")

ROOT = Path(__file__).resolve().parents[1]
ADMIN, ALICE, BOB, CAROL, STRANGER, GUEST = 100, 101, 102, 103, 555, 777
GROUP, OTHER_GROUP = -1001, -2002
QUESTION = "石家庄市交管局的铁骑驾驶技能大比武是哪天举行的？"
CITATION_831 = re.compile(r"^\[(\d+)\] 第831期 · 2024-10-29 · 《[^》]*铁骑[^》]*》", re.M)


def _write_long_issue(path: Path) -> None:
    """An issue whose only article is over 5,000 characters, none of its sentences repeated."""
    places = (
        "城关 东关 西街 南湖 北山 河口 新区 老城 高铁站 开发区 工业园 大学城 滨河 湖滨 望京 龙泉"
    )
    acts = "走访商户 巡查校园周边 排查出租屋 检查消防通道 劝导电动车驾驶人 调解邻里纠纷 "
    acts += "宣传防范电信诈骗 护送夜归群众"
    paragraphs = [
        "".join(
            f"第{i * 8 + j + 1}次夜巡中，{place}派出所民警{act}，"
            f"共记录线索{(i * 7 + j * 3) % 11 + 2}条，当场整改隐患{(i + j) % 5 + 1}处。"
            for j, act in enumerate(acts.split())
        )
        for i, place in enumerate(places.split())
    ]
    body = "\n\n".join(paragraphs)
    path.write_text(
        "\n\n2025年1月7日 星期二\n\n第999期 本刊今日4版\n\n国内统一连续出版物号 CN13-0079\n\n"
        f"公安周刊\n\n某县公安局夜间巡逻防控工作纪实\n\n本报讯（测试员）{body}\n",
        encoding="utf-8",
    )


@pytest.fixture(scope="session")
def bot_settings(tmp_path_factory) -> Settings:
    """Settings of the test bot, with an index built once per session."""
    base = tmp_path_factory.mktemp("bot")
    corpus = base / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    _write_long_issue(corpus / "999_long_article_test.txt")
    settings = Settings(
        index_dir=base / "index",
        corpus_dir=corpus,
        telegram_bot_token="123456:TEST-token",
        allowed_user_ids=frozenset({ALICE, BOB, CAROL}),
        allowed_chat_ids=frozenset({GROUP}),
        admin_user_ids=frozenset({ADMIN}),
    )
    build_index(corpus, settings.index_dir, settings=settings)
    return settings


@pytest.fixture(scope="session")
def bot_engine(bot_settings) -> Engine:
    return Engine.load(bot_settings.index_dir, settings=bot_settings)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(bot_settings, bot_engine):
    """The real Application, polling an emulator; yields (emulator, application)."""
    emu = BotApiEmulator(token=bot_settings.telegram_bot_token)
    async with running_bot(emu, bot_settings, bot_engine) as app:
        yield emu, app


async def _answer(emu: BotApiEmulator, user: int, text: str, chat: int | None = None):
    """Send `text` and return the bot's messages up to the one carrying the 👍/👎 keyboard."""
    chat = user if chat is None else chat
    mark = emu.count(chat)
    question = emu.send_text(user, text, chat)

    def done():
        sent = emu.sent[chat][mark:]
        return any("👍" in str(m.get("reply_markup")) for m in sent)

    await emu.wait_for(done, timeout=60)
    sent = emu.sent[chat][mark:]
    last = next(i for i, m in enumerate(sent) if "👍" in str(m.get("reply_markup")))
    return question, sent[: last + 1]


def _buttons(message: dict) -> list[dict]:
    return [b for row in message["reply_markup"]["inline_keyboard"] for b in row]


async def test_startup_registers_commands(bot):
    emu, _ = bot
    names = {c["command"] for c in emu.commands['{"type": "default"}']}
    assert {"start", "help", "ask", "issues", "issue", "new"} <= names
    assert "reindex" not in names
    admin_scope = json.dumps({"type": "chat", "chat_id": ADMIN}, sort_keys=True)
    assert {"stats", "reindex"} <= {c["command"] for c in emu.commands[admin_scope]}
    assert not emu.unknown_methods


async def test_private_question_is_answered_with_citation(bot):
    emu, _ = bot
    _, pages = await _answer(emu, ALICE, QUESTION)
    text = "\n".join(p["text"] for p in pages)
    assert CITATION_831.search(text), text
    assert re.search(r"\[\d+\]", text.split("来源")[0]), "the answer carries its [n] marks"
    assert any(a["chat_id"] == ALICE and a["action"] == "typing" for a in emu.chat_actions)
    labels = [b["text"] for b in _buttons(pages[-1])]
    assert labels[-2:] == ["👍", "👎"] and len(labels) >= 3


async def test_a_greeting_or_thanks_gets_a_reply_not_a_search(bot):
    emu, _ = bot
    for text, expected in (("你好", "公安周刊"), ("谢谢！", "不客气")):
        mark = emu.count(BOB)
        emu.send_text(BOB, text)
        [reply] = await emu.wait_replies(BOB, after=mark)
        assert expected in reply["text"] and "来源" not in reply["text"], reply["text"]
        assert not reply.get("reply_markup"), "nothing from the paper to open or judge"


async def test_nothing_in_the_paper_offers_closest_articles(bot):
    emu, _ = bot
    _, pages = await _answer(emu, BOB, "火星上有派出所吗？")
    assert "没有" in pages[0]["text"] and "可能相关的文章" in pages[-1]["text"]
    articles = [b for b in _buttons(pages[-1]) if b["callback_data"].startswith("a:")]
    assert 1 <= len(articles) <= 3
    mark = emu.count(BOB)
    emu.press(BOB, pages[-1], articles[0]["callback_data"])
    [article] = await emu.wait_replies(BOB, after=mark)
    title = articles[0]["text"].split(". ", 1)[1].rstrip("…")
    assert "《" + title in "\n".join(article["text"].splitlines()[:2])  # after a 引题, if any


async def test_source_button_sends_the_article(bot):
    emu, _ = bot
    _, pages = await _answer(emu, ALICE, QUESTION)
    n = CITATION_831.search("\n".join(p["text"] for p in pages)).group(1)
    button = next(b for b in _buttons(pages[-1]) if b["text"].startswith(f"[{n}]"))
    mark = emu.count(ALICE)
    query = emu.press(ALICE, pages[-1], button["callback_data"])
    await emu.wait_callback_answer(query)
    [article] = await emu.wait_replies(ALICE, after=mark)
    assert "铁骑驾驶技能大比武" in article["text"].splitlines()[0]
    assert "第831期 · 2024-10-29 · 郭俊岭" in article["text"]
    assert "62名铁骑精英" in article["text"]


async def test_unknown_user_is_refused_with_their_id(bot):
    emu, _ = bot
    mark = emu.count(STRANGER)
    emu.send_text(STRANGER, QUESTION)
    [reply] = await emu.wait_replies(STRANGER, after=mark)
    assert str(STRANGER) in reply["text"] and "权限" in reply["text"]
    # Outside the allowed groups a mention is refused too, with the sender's id.
    mark = emu.count(OTHER_GROUP)
    emu.send_text(888, f"@{emu.username} {QUESTION}", OTHER_GROUP)
    [reply] = await emu.wait_replies(OTHER_GROUP, after=mark)
    assert "888" in reply["text"]


async def test_message_without_sender_is_refused_without_an_id(bot):
    emu, _ = bot
    mark = emu.count(OTHER_GROUP)
    # Sent on behalf of a channel: Telegram gives no "from" then.
    text = f"/ask@{emu.username} {QUESTION}"
    command = {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
    emu.send_raw({"message": {
        "message_id": 9001, "date": 1764000000, "chat": {"id": OTHER_GROUP, "type": "group"},
        "sender_chat": {"id": -100777, "type": "channel", "title": "某频道"},
        "text": text, "entities": [command],
    }})  # fmt: skip
    [reply] = await emu.wait_replies(OTHER_GROUP, after=mark)
    assert "None" not in reply["text"] and "个人账号" in reply["text"]


# A message whose chat is a number and whose date is a word; a button press with no sender.
BAD_MESSAGE = {"message": {"message_id": "x", "date": "昨天", "chat": 7, "text": 1}}
BAD_PRESS = {"callback_query": {"id": 5, "data": "a:1"}}


@pytest.mark.parametrize(
    ("payload", "last_in_batch"), [(BAD_MESSAGE, False), (BAD_MESSAGE, True), (BAD_PRESS, False)]
)
async def test_unparseable_update_is_logged_once_and_skipped(
    bot, caplog, payload, last_in_batch
):
    emu, _ = bot
    caplog.set_level(logging.WARNING, logger="bot.transport")
    bad = emu.send_raw(json.loads(json.dumps(payload)))  # a copy: send_raw adds update_id
    if last_in_batch:  # alone in its batch: the offset must still move past it
        await emu.drained(timeout=10)
        await asyncio.sleep(0.3)  # a few more polls, which must not fetch it again
    _, pages = await _answer(emu, ALICE, QUESTION)
    assert CITATION_831.search("\n".join(p["text"] for p in pages))
    await emu.drained()
    logged = [r.getMessage() for r in caplog.records if "cannot be parsed" in r.getMessage()]
    assert len(logged) == 1 and f"update {bad} " in logged[0], logged
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_group_answers_only_when_addressed(bot):
    emu, _ = bot
    mark = emu.count(GROUP)
    ignored = emu.send_text(GUEST, "今天大家辛苦了，铁骑比武是哪天来着？", GROUP)
    question, pages = await _answer(emu, GUEST, f"@{emu.username} {QUESTION}", GROUP)
    assert pages[0]["reply_to_message"]["message_id"] == question["message_id"]
    assert CITATION_831.search("\n".join(p["text"] for p in pages))
    # A reply to one of the bot's messages addresses it as well.
    follow = emu.send_text(GUEST, "比赛有多少名铁骑精英参加？", GROUP, reply_to=pages[-1])
    await emu.wait_for(lambda: emu.replies_to(follow), timeout=60)
    # The unaddressed message was fetched and handled before these: it got nothing at all.
    await emu.drained()
    answered = {question["message_id"], follow["message_id"]}
    assert all(m["reply_to_message"]["message_id"] in answered for m in emu.sent[GROUP][mark:])
    assert emu.replies_to(ignored) == []


async def test_ask_command_in_group(bot):
    emu, _ = bot
    _, pages = await _answer(emu, GUEST, f"/ask@{emu.username} {QUESTION}", GROUP)
    assert CITATION_831.search("\n".join(p["text"] for p in pages))


async def test_issue_lists_its_articles(bot):
    emu, _ = bot
    mark = emu.count(BOB)
    emu.send_text(BOB, "/issue 831")
    [reply] = await emu.wait_replies(BOB, after=mark)
    assert "第831期 · 2024-10-29" in reply["text"]
    assert "《石家庄市交管局举行铁骑驾驶技能大比武》 · 郭俊岭" in reply["text"]
    assert any("铁骑" in b["text"] for b in _buttons(reply))
    mark = emu.count(BOB)
    emu.send_text(BOB, "/issues")
    [reply] = await emu.wait_replies(BOB, after=mark)
    for line in ("第999期 · 2025-01-07 · 1 篇", "第853期 · 2025-04-15", "第831期 · 2024-10-29"):
        assert line in reply["text"]
    assert "期号不详" in reply["text"]
    mark = emu.count(BOB)
    emu.send_text(BOB, "/issue 12345")
    [reply] = await emu.wait_replies(BOB, after=mark)
    assert "没有" in reply["text"]


async def test_long_article_is_split(bot):
    emu, _ = bot
    mark = emu.count(BOB)
    emu.send_text(BOB, "/issue 999")
    [listing] = await emu.wait_replies(BOB, after=mark)
    [button] = _buttons(listing)
    mark = emu.count(BOB)
    emu.press(BOB, listing, button["callback_data"])
    await emu.wait_replies(BOB, n=2, after=mark)
    await asyncio.sleep(0.5)  # let any further page arrive
    pages = emu.sent[BOB][mark:]
    assert len(pages) == 2
    assert pages[0]["text"].startswith("《某县公安局夜间巡逻防控工作纪实》")
    text = "".join(p["text"] for p in pages)
    assert "第1次夜巡中，城关派出所" in text and "第128次夜巡中，龙泉派出所" in text
    # Pages end on a sentence: nothing was cut mid-sentence.
    assert all(p["text"].endswith("。") for p in pages)
    assert not emu.errors


async def test_three_users_at_once_are_all_answered(bot, bot_engine, monkeypatch):
    emu, _ = bot
    questions = {
        ALICE: QUESTION,
        BOB: "张家口市公安局的民意智感系统整合了哪些系统？",
        CAROL: "景区里的警务工作怎么让游客更安心？",
    }
    # Each question waits inside engine.ask until all three are in flight: this only passes
    # if updates are handled concurrently and retrieval runs off the event loop.
    together = threading.Barrier(len(questions), timeout=20)
    real_ask = bot_engine.ask

    def ask_together(question, history=None, **kwargs):
        together.wait()
        return real_ask(question, history, **kwargs)

    monkeypatch.setattr(bot_engine, "ask", ask_together)
    results = await asyncio.gather(*(_answer(emu, u, q) for u, q in questions.items()))
    for (_, pages), user in zip(results, questions, strict=True):
        assert "👍" in str(pages[-1]["reply_markup"])
        assert pages[0]["chat"]["id"] == user and "抱歉" not in pages[0]["text"]
    assert not together.broken


async def test_thumbs_down_is_stored(bot, bot_settings):
    emu, _ = bot
    _, pages = await _answer(emu, CAROL, QUESTION)
    down = next(b for b in _buttons(pages[-1]) if b["text"] == "👎")
    answer = await emu.wait_callback_answer(emu.press(CAROL, pages[-1], down["callback_data"]))
    assert "谢谢" in answer.get("text", "")
    with sqlite3.connect(bot_settings.index_dir / FEEDBACK_FILE) as conn:
        rows = conn.execute(
            "SELECT user_id, chat_id, question, answer, citations, vote FROM feedback"
            " WHERE user_id = ?",
            (CAROL,),
        ).fetchall()
    assert len(rows) == 1
    user_id, chat_id, question, text, citations, vote = rows[0]
    assert (user_id, chat_id, question, vote) == (CAROL, CAROL, QUESTION, "down")
    assert text and "831" in citations
    # A second vote on the same answer by the same user is not stored twice.
    again = await emu.wait_callback_answer(emu.press(CAROL, pages[-1], down["callback_data"]))
    assert "已经" in again.get("text", "")


async def test_overlong_question_and_errors(bot, bot_engine, monkeypatch):
    emu, _ = bot
    mark = emu.count(ALICE)
    emu.send_text(ALICE, "铁骑" * 300)
    [reply] = await emu.wait_replies(ALICE, after=mark)
    assert "太长" in reply["text"] and "500" in reply["text"]
    # A question the library rejects: its message, on one line.
    mark = emu.count(ALICE)
    emu.send_text(ALICE, "？？？ ...")
    [reply] = await emu.wait_replies(ALICE, after=mark)
    assert reply["text"].startswith("⚠️") and "\n" not in reply["text"]

    def boom(question, history=None, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(bot_engine, "ask", boom)
    mark = emu.count(ALICE)
    emu.send_text(ALICE, QUESTION)
    [reply] = await emu.wait_replies(ALICE, after=mark)
    assert "抱歉" in reply["text"] and "disk on fire" not in reply["text"]


async def test_three_turn_conversation_and_new(bot):
    emu, _ = bot
    mark = emu.count(BOB)
    emu.send_text(BOB, "/new")
    await emu.wait_replies(BOB, after=mark)
    _, first = await _answer(emu, BOB, "民意智感系统上线后办结率是多少？")
    assert "办结率" in first[0]["text"]
    _, second = await _answer(emu, BOB, "那群众满意度呢？")  # no subject of its own
    assert "97%" in second[0]["text"] and "民意智感" in second[0]["text"]
    _, third = await _answer(emu, BOB, "那上一期呢？")  # the issue before 第831期: none
    assert "上一期" in third[0]["text"] or "没有" in third[0]["text"]
    mark = emu.count(BOB)
    emu.send_text(BOB, "/new")
    await emu.wait_replies(BOB, after=mark)
    _, fresh = await _answer(emu, BOB, "那群众满意度呢？")
    assert "97%" not in fresh[0]["text"]  # the conversation was forgotten


async def test_which_issue_after_an_answer_names_it(bot):
    emu, _ = bot
    mark = emu.count(CAROL)
    emu.send_text(CAROL, "/new")
    await emu.wait_replies(CAROL, after=mark)
    await _answer(emu, CAROL, QUESTION)
    _, pages = await _answer(emu, CAROL, "那是第几期？")
    assert "第831期" in pages[0]["text"] and "2024" in pages[0]["text"], pages[0]["text"]


async def test_help_new_and_admin_commands(bot):
    emu, _ = bot
    mark = emu.count(ALICE)
    emu.send_text(ALICE, "/start")
    [reply] = await emu.wait_replies(ALICE, after=mark)
    examples = reply["text"].split("可以这样问：")[1].strip().splitlines()
    assert len(examples) == 3 and all(e.startswith("• ") for e in examples)
    for command, expected in (("/new", "新的对话"), ("/stats", "管理员")):
        mark = emu.count(ALICE)
        emu.send_text(ALICE, command)
        [reply] = await emu.wait_replies(ALICE, after=mark)
        assert expected in reply["text"]
    mark = emu.count(ADMIN)
    emu.send_text(ADMIN, "/stats")
    [reply] = await emu.wait_replies(ADMIN, after=mark)
    assert reply["text"].startswith("索引统计")
    assert "文本块数: " in reply["text"] and "向量模型: " in reply["text"]
    assert not re.search(r"^(chunks|model|issues_list):", reply["text"], re.M)


async def test_failed_reindex_keeps_the_old_index(bot, bot_settings):
    emu, app = bot
    app.bot_data["settings"] = replace(
        bot_settings, corpus_dir=bot_settings.corpus_dir / "missing"
    )
    try:
        mark = emu.count(ADMIN)
        emu.send_text(ADMIN, "/reindex")
        _, report = await emu.wait_replies(ADMIN, n=2, after=mark)
    finally:
        app.bot_data["settings"] = bot_settings
    assert "重建失败" in report["text"] and "missing" in report["text"]
    _, pages = await _answer(emu, ADMIN, QUESTION)
    assert CITATION_831.search("\n".join(p["text"] for p in pages))


async def test_reindex_switches_to_the_new_build(bot, bot_engine):
    emu, _ = bot
    before = bot_engine.stats()["build"]
    mark = emu.count(ADMIN)
    emu.send_text(ADMIN, "/reindex")
    # Questions are still answered while the rebuild runs in its thread.
    _, pages = await _answer(emu, ALICE, QUESTION)
    assert CITATION_831.search("\n".join(p["text"] for p in pages))
    _, report = await emu.wait_replies(ADMIN, n=2, after=mark, timeout=90)
    assert report["text"].startswith("✅ 新索引已启用"), report["text"]
    after = bot_engine.stats()["build"]
    assert after != before and after in report["text"]


# ---------------------------------------------------------------- `python -m bot` itself


def _env(**values: str) -> dict[str, str]:
    # Only what the test sets reaches the bot: no stray TELEGRAM_*, INDEX_DIR, EMBED_MODEL...
    ours = {f.name.upper() for f in fields(Settings)}
    env = {k: v for k, v in os.environ.items() if k not in ours}
    path = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    env.update(PYTHONPATH=os.pathsep.join(path), **values)
    return env


async def _run_bot(env: dict, cwd: Path, timeout: float = 120) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=env, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await asyncio.wait_for(proc.communicate(), timeout)
    return proc.returncode, stderr.decode()


async def test_missing_token_exits_cleanly(tmp_path):
    code, stderr = await _run_bot(_env(TELEGRAM_BOT_TOKEN=""), tmp_path)
    assert code != 0
    assert "TELEGRAM_BOT_TOKEN" in stderr and "Traceback" not in stderr


async def test_missing_index_exits_cleanly(tmp_path):
    emu = BotApiEmulator()
    root = await emu.start()
    try:
        env = _env(
            TELEGRAM_BOT_TOKEN=emu.token,
            TELEGRAM_API_BASE_URL=root,
            INDEX_DIR=str(tmp_path / "no-index"),
        )
        code, stderr = await _run_bot(env, tmp_path)
    finally:
        await emu.stop()
    assert code != 0
    assert "no index at" in stderr and "Traceback" not in stderr
    assert [m for m, _ in emu.calls][:1] == ["getMe"]  # it did reach the emulator


async def test_rejected_token_exits_cleanly(tmp_path, bot_settings):
    emu = BotApiEmulator()
    root = await emu.start()
    try:
        env = _env(
            TELEGRAM_BOT_TOKEN="654321:WRONG",
            TELEGRAM_API_BASE_URL=root,
            INDEX_DIR=str(bot_settings.index_dir),
        )
        code, stderr = await _run_bot(env, tmp_path)
    finally:
        await emu.stop()
    assert code != 0
    assert "rejected TELEGRAM_BOT_TOKEN" in stderr and "Traceback" not in stderr


async def test_unreachable_api_exits_cleanly(tmp_path, bot_settings):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = _env(
        TELEGRAM_BOT_TOKEN="123:abc",
        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}",
        INDEX_DIR=str(bot_settings.index_dir),
    )
    code, stderr = await _run_bot(env, tmp_path)
    assert code != 0
    assert "cannot reach the Telegram Bot API" in stderr and "Traceback" not in stderr


async def test_python_m_bot_serves_through_base_url(tmp_path, bot_settings):
    """The real entry point: settings from the environment, polling TELEGRAM_API_BASE_URL."""
    emu = BotApiEmulator()
    root = await emu.start()
    env = _env(
        TELEGRAM_BOT_TOKEN=emu.token,
        TELEGRAM_API_BASE_URL=root,
        INDEX_DIR=str(bot_settings.index_dir),
        ALLOWED_USER_IDS=str(ALICE),
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        emu.send_text(ALICE, "/help")
        [reply] = await emu.wait_replies(ALICE, timeout=90)
        assert "可以这样问" in reply["text"]
    finally:
        proc.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(proc.communicate(), 30)
        await emu.stop()
    assert proc.returncode == 0, stderr.decode()
    assert "Traceback" not in stderr.decode()
