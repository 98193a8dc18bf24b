"""Admins add and remove issues through the bot, end to end against the Bot API emulator.

The index is built from four of the five sample issues; the fifth (第853期) arrives as a
document, is fetched through getFile from the emulator, added, and then answered from.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import pytest_asyncio
from bot_emulator import BotApiEmulator, running_bot

from bot.admin import safe_name, store_upload
from rag import Engine, Settings, build_index

pytestmark = pytest.mark.asyncio(loop_scope="module")

ROOT = Path(__file__).resolve().parents[1]
ISSUE_853 = ROOT / "corpus" / "001_46bd6e34c8861008.txt"
ADMIN, ALICE, STRANGER = 100, 101, 555
# Answered by a sentence of issue 853 only (廊e拍). The upload path is what these tests check; the
# learned answerer's known miss on "…提供什么免费服务？" (it picks the quote beside the answer)
# is an answer-quality matter, recorded in the closing note of issue 12.
QUESTION_853 = "廊坊市公安局推行了什么拍照服务？"


@pytest.fixture(scope="module")
def upload_settings(tmp_path_factory) -> Settings:
    base = tmp_path_factory.mktemp("upload")
    corpus = base / "corpus"
    corpus.mkdir()
    for path in (ROOT / "corpus").glob("*.txt"):
        if path.name != ISSUE_853.name:
            shutil.copy(path, corpus / path.name)
    settings = Settings(
        index_dir=base / "index",
        corpus_dir=corpus,
        telegram_bot_token="123456:UPLOAD-token",
        allowed_user_ids=frozenset({ALICE}),
        admin_user_ids=frozenset({ADMIN}),
    )
    build_index(corpus, settings.index_dir, settings)
    return settings


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(upload_settings):
    emu = BotApiEmulator(token=upload_settings.telegram_bot_token)
    engine = Engine.load(upload_settings.index_dir, upload_settings)
    async with running_bot(emu, upload_settings, engine) as app:
        yield emu, app


def _uploads(settings: Settings) -> Path:
    return settings.index_dir / "uploads"


async def _upload(emu: BotApiEmulator, user: int, name: str | None, content: bytes) -> dict:
    """Send a document; return the upload message's final state (✅, ⚠️ or ❌)."""
    mark = emu.count(user)
    emu.send_document(user, name, content)
    [progress] = await emu.wait_replies(user, after=mark)
    assert progress["text"].startswith("⏳ 已收到"), progress["text"]
    return await emu.wait_edit(
        user,
        lambda m: m["message_id"] == progress["message_id"] and m["text"][:1] in "✅⚠❌",
        timeout=90,
    )


def _english_words(text: str) -> list[str]:
    """Latin words left in a reply once file names are taken out (a reply should have none)."""
    return re.findall(r"[A-Za-z]{3,}", re.sub(r"[\w.-]+\.(txt|md|pdf)", "", text))


async def _command_document(emu: BotApiEmulator, user: int, name: str, content: bytes) -> str:
    mark = emu.count(user)
    emu.send_document(user, name, content)
    [reply] = await emu.wait_replies(user, after=mark)
    return reply["text"]


async def _ask(emu: BotApiEmulator, user: int, text: str) -> str:
    mark = emu.count(user)
    emu.send_text(user, text)
    await emu.wait_for(
        lambda: any("👍" in str(m.get("reply_markup")) for m in emu.sent[user][mark:])
    )
    return "\n".join(m["text"] for m in emu.sent[user][mark:])


async def _command(emu: BotApiEmulator, user: int, text: str) -> str:
    mark = emu.count(user)
    emu.send_text(user, text)
    [reply] = await emu.wait_replies(user, after=mark)
    return reply["text"]


# ---------------------------------------------------------------- names and storage


async def test_safe_name_never_leaves_the_folder():
    assert safe_name("../../x.txt") == "x.txt"
    assert safe_name("..\\..\\windows\\x.TXT") == "x.txt"
    assert safe_name("a\x00b\n\u202ec.md") == "abc.md"  # controls and bidi overrides go
    assert safe_name("第853期 公安周刊.txt") == "第853期_公安周刊.txt"
    assert safe_name(".hidden.txt") == "hidden.txt"
    assert safe_name(" 第853期．ＴＸＴ ") == "第853期.txt"  # full-width forms, spaces around
    assert safe_name("a／b.txt") == "b.txt"  # a full-width slash is a slash too
    assert safe_name("") == safe_name(None) == safe_name("...") == "upload"
    assert len(safe_name("长" * 500 + ".txt")) <= 84


async def test_store_upload_reuses_identical_and_never_overwrites(tmp_path):
    first, fresh = store_upload(tmp_path / "up", "a.txt", b"one")
    again, fresh_again = store_upload(tmp_path / "up", "a.txt", b"one")
    other, fresh_other = store_upload(tmp_path / "up", "a.txt", b"two")
    assert (fresh, fresh_again, fresh_other) == (True, False, True)
    assert again == first and other.name == "a-2.txt"
    assert first.read_bytes() == b"one" and other.read_bytes() == b"two"


# ---------------------------------------------------------------- through the bot


async def test_admin_upload_adds_the_issue_and_it_is_answered(bot, upload_settings):
    emu, _ = bot
    assert "第853期" not in await _ask(emu, ALICE, QUESTION_853)
    final = await _upload(emu, ADMIN, ISSUE_853.name, ISSUE_853.read_bytes())
    assert final["text"].startswith("✅ 已加入索引"), final["text"]
    assert f"已添加 1 期：第853期（{ISSUE_853.name}）" in final["text"], final["text"]
    assert "索引现有 5 期" in final["text"] and not _english_words(final["text"]), final["text"]
    stages = [m["text"] for m in emu.edits[ADMIN] if m["message_id"] == final["message_id"]]
    assert any("正在解析、建索引" in s for s in stages)
    assert [m for m, _ in emu.calls].count("getFile") == 1 and len(emu.downloads) == 1
    stored = _uploads(upload_settings) / ISSUE_853.name
    assert stored.read_bytes() == ISSUE_853.read_bytes()
    answer = await _ask(emu, ALICE, QUESTION_853)
    assert re.search(r"\[\d+\] 第853期 · 2025-04-15", answer) and "廊e拍" in answer, answer


async def test_duplicate_upload_is_skipped(bot, upload_settings):
    emu, _ = bot
    final = await _upload(emu, ADMIN, ISSUE_853.name, ISSUE_853.read_bytes())
    assert final["text"].startswith("⚠️ 未加入索引"), final["text"]
    assert f"跳过 1 个：{ISSUE_853.name}（第853期）已在索引中" in final["text"], final["text"]
    assert not _english_words(final["text"]), final["text"]
    assert (_uploads(upload_settings) / ISSUE_853.name).is_file()  # still the indexed file
    # The same issue under another name is skipped too, and its copy is not kept.
    final = await _upload(emu, ADMIN, "853-again.txt", ISSUE_853.read_bytes())
    assert final["text"].startswith("⚠️ 未加入索引"), final["text"]
    said = f"853-again.txt（第853期）与已收录的 {ISSUE_853.name} 是同一期"
    assert said in final["text"] and not _english_words(final["text"]), final["text"]
    assert not (_uploads(upload_settings) / "853-again.txt").exists()


async def test_too_large_file_is_refused_before_download(bot):
    emu, _ = bot
    calls, downloads = len(emu.calls), len(emu.downloads)
    big = ("公安周刊" * 600_000).encode("utf-8")  # 7.2 MB, over MAX_FILE_MB's default 5
    reply = await _command_document(emu, ADMIN, "big.txt", big)
    assert "太大" in reply and "MAX_FILE_MB" in reply and "5.0 MB" in reply
    assert "getFile" not in [m for m, _ in emu.calls[calls:]]
    assert len(emu.downloads) == downloads


async def test_hostile_file_name_is_stored_inside_the_index(bot, upload_settings):
    emu, _ = bot
    text = ISSUE_853.read_text(encoding="utf-8").replace("第853期", "第901期")
    text = text.replace("2025年4月15日", "2025年9月2日")
    final = await _upload(emu, ADMIN, "../../\x1b[31mevil\n.txt", text.encode("utf-8"))
    assert final["text"].startswith("✅"), final["text"]
    base = upload_settings.index_dir.parent
    found = [p for p in base.rglob("*") if "evil" in p.name]
    assert [p.relative_to(base).as_posix() for p in found] == ["index/uploads/31mevil.txt"]
    assert "第901期" in await _command(emu, ALICE, "/issues")


async def test_unreadable_upload_is_one_line_and_not_kept(bot, upload_settings):
    emu, _ = bot
    final = await _upload(emu, ADMIN, "empty.txt", b"\x00\x01\x02" * 100)
    assert final["text"][:1] in "⚠❌" and "Traceback" not in final["text"], final["text"]
    assert "跳过 1 个：empty.txt 不是文本文件" in final["text"], final["text"]
    assert not (_uploads(upload_settings) / "empty.txt").exists()
    assert "只接受" in await _command_document(emu, ADMIN, "photo.jpg", b"\xff\xd8")


async def test_non_admins_cannot_upload_or_remove(bot):
    emu, _ = bot
    calls = len(emu.calls)
    assert "只有管理员" in await _command_document(emu, ALICE, "x.txt", b"abc")
    refusal = await _command_document(emu, STRANGER, "x.txt", b"abc")
    assert str(STRANGER) in refusal and "权限" in refusal
    assert "getFile" not in [m for m, _ in emu.calls[calls:]]
    assert "只有管理员" in await _command(emu, ALICE, "/remove 853")


async def test_remove_takes_the_issue_out(bot, upload_settings):
    emu, _ = bot
    reply = await _command(emu, ADMIN, "/remove 31mevil.txt")  # by file name
    assert reply.startswith("✅ 已从索引中移除 31mevil.txt"), reply
    assert not (_uploads(upload_settings) / "31mevil.txt").exists()
    reply = await _command(emu, ADMIN, "/remove 853")  # by issue number
    assert reply.startswith(f"✅ 已从索引中移除 {ISSUE_853.name}（第853期）"), reply
    assert not (_uploads(upload_settings) / ISSUE_853.name).exists()
    issues = await _command(emu, ADMIN, "/issues")
    assert "第901期" not in issues and "第853期" not in issues and "第831期" in issues
    reply = await _command(emu, ADMIN, "/remove no-such-issue.txt")
    assert reply == "❌ 索引中没有 no-such-issue.txt：用 /issues 查看已收录的期号和文件。", reply
    reply = await _command(emu, ADMIN, "/remove 853")  # removed above
    assert reply.startswith("❌ 索引中没有 第853期") and "\n" not in reply, reply
    assert "用法" in await _command(emu, ADMIN, "/remove")


async def test_pdf_upload_is_added_and_answered(bot, upload_settings, tmp_path):
    """An issue typeset as a two-column PDF (after /remove 853 above took the text out)."""
    from pdfmaker import render_issue, render_scanned

    emu, _ = bot
    pdf = render_issue(ISSUE_853, tmp_path / "853.pdf")
    final = await _upload(emu, ADMIN, "第853期.pdf", pdf.read_bytes())
    assert final["text"].startswith("✅ 已加入索引：第853期.pdf"), final["text"]
    answer = await _ask(emu, ALICE, QUESTION_853)
    assert re.search(r"\[\d+\] 第853期 · 2025-04-15", answer), answer
    scanned = render_scanned(tmp_path / "scan.pdf")
    final = await _upload(emu, ADMIN, "scan.pdf", scanned.read_bytes())
    assert final["text"][:1] in "⚠❌" and "Traceback" not in final["text"], final["text"]
    assert "scan.pdf 是扫描版 PDF" in final["text"], final["text"]
    assert not (_uploads(upload_settings) / "scan.pdf").exists()
