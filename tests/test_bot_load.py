"""Under load, against an emulator that enforces Telegram's flood limits: no answer is lost.

Sixty people ask at once (five of them twice). Their answers are all released together, so
the bot must pace itself (about 30 messages/s, about one a second per chat) and, where the
emulator still answers 429, wait `retry_after` and send again.
"""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
import pytest_asyncio
from bot_emulator import BotApiEmulator, FloodLimits, running_bot

pytestmark = pytest.mark.asyncio(loop_scope="module")

USERS = list(range(2001, 2061))
TWICE = USERS[:5]
QUESTIONS = [
    ("石家庄市交管局的铁骑驾驶技能大比武是哪天举行的？", "第831期"),
    ("张家口市公安局的民意智感系统整合了哪些系统？", "第831期"),
    ("廊坊市公安局在政务服务中心为群众提供什么免费服务？", "第853期"),
    ("香河县公安局的警民微恳谈活动聚焦哪些领域？", "期号不详"),
]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def loaded_bot(sample_index, engine, settings):
    """The real Application on the sample index, polling an emulator that enforces limits."""
    # Every question holds a worker thread until all are answered (see the test): give the
    # loop enough of them, as a busy server would have cores.
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=len(USERS) + len(TWICE) + 8))
    emu = BotApiEmulator(token="123456:LOAD-token", limits=FloodLimits())
    bot_settings = replace(settings, index_dir=sample_index, telegram_bot_token=emu.token,
                           allowed_user_ids=frozenset(USERS))
    async with running_bot(emu, bot_settings, engine) as app:
        yield emu, app


def _answers(emu: BotApiEmulator, chat: int) -> list[dict]:
    """The bot's answers in a chat: the messages that carry the 👍/👎 keyboard."""
    return [m for m in emu.sent[chat] if "👍" in str(m.get("reply_markup"))]


async def test_sixty_users_at_once_lose_no_answer(loaded_bot, engine, monkeypatch):
    emu, _ = loaded_bot
    asked = {u: [QUESTIONS[i % len(QUESTIONS)]] for i, u in enumerate(USERS)}
    for i, u in enumerate(TWICE):
        asked[u].append(QUESTIONS[(i + 1) % len(QUESTIONS)])
    total = sum(map(len, asked.values()))
    # Each answer waits in engine.ask until every question has been answered, so that all of
    # them reach Telegram at once: the burst the limits are about.
    together = threading.Barrier(total, timeout=60)
    real_ask = engine.ask

    def ask_together(question, history=None, **kwargs):
        answer = real_ask(question, history, **kwargs)
        together.wait()
        return answer

    monkeypatch.setattr(engine, "ask", ask_together)
    started = time.monotonic()
    for u, questions in asked.items():
        for question, _ in questions:
            emu.send_text(u, question)

    def all_answered():
        return all(len(_answers(emu, u)) >= len(q) for u, q in asked.items())

    await emu.wait_for(all_answered, timeout=40)
    elapsed = time.monotonic() - started
    await asyncio.sleep(0.5)  # nothing more should arrive

    for u, questions in asked.items():
        answers = _answers(emu, u)
        assert len(answers) == len(questions), u
        assert not any("抱歉" in a["text"] for a in answers)
        # A user's two answers may arrive in either order: match them by their sources.
        cited = sorted(next(i for _, i in QUESTIONS if i in a["text"]) for a in answers)
        assert cited == sorted(issue for _, issue in questions), u
    sends = [m for m, p in emu.calls if m == "sendMessage"]
    throttled = [m for m, _ in emu.throttled if m == "sendMessage"]
    print(
        f"\nload: {total} questions from {len(USERS)} users, {len(sends)} sendMessage "
        f"requests, {len(throttled)} answered 429 and sent again, {elapsed:.1f} s"
    )
    # Not vacuous: Telegram's limits were met, and every refused message was sent again.
    assert throttled, "the emulator never answered 429: the burst did not test the limits"
    assert len(sends) - len(throttled) == sum(len(emu.sent[u]) for u in USERS)
    assert all(err.startswith("Too Many Requests") for _, err in emu.errors)
    assert not together.broken


async def test_one_chat_is_paced_to_its_own_limit(loaded_bot):
    """Six messages to one person: three at once, then one every 1.3 s, and no 429 for them.

    PTB's AIORateLimiter alone limits only groups; a private chat would meet 429s here.
    """
    emu, app = loaded_bot
    chat, throttled = 2999, len(emu.throttled)
    started = time.monotonic()
    await asyncio.gather(*(app.bot.send_message(chat, f"第{i}条") for i in range(6)))
    elapsed = time.monotonic() - started
    assert sorted(m["text"] for m in emu.sent[chat][-6:]) == [f"第{i}条" for i in range(6)]
    assert not emu.throttled[throttled:]
    assert elapsed >= 3.5  # the 4th, 5th and 6th waited 1.3 s each
    # "typing…" is not held back by the limits.
    started = time.monotonic()
    await asyncio.gather(*(app.bot.send_chat_action(chat, "typing") for _ in range(5)))
    assert time.monotonic() - started < 1
