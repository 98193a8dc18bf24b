"""Issue identity: an issue is its number and date (or its content), never its file name."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from rag import CorpusError, Engine, add_files, build_index, remove_source
from rag.cli import main
from rag.index.store import load_index

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
ISSUE_831 = "000_901c193272ce665a.txt"  # 第831期, 2024-10-29
ISSUE_853 = "001_46bd6e34c8861008.txt"  # 第853期, 2025-04-15


def with_header(source: str, number: int, date: str, dest: Path) -> Path:
    """A copy of a sample issue that claims another number and date in its printed header."""
    y, m, d = (int(x) for x in date.split("-"))
    text = (CORPUS / source).read_text(encoding="utf-8")
    text = re.sub(r"\d{4}年\d{1,2}月\d{1,2}日", f"{y}年{m}月{d}日", text, count=1)
    text = re.sub(r"第\d+期", f"第{number}期", text, count=1)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(text, encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def two_built(sample_subset) -> Path:
    return sample_subset("two", [ISSUE_831, "002_59ee2e44099c27a5.txt"])


@pytest.fixture
def two(two_built, private_copy) -> Path:
    """A private copy of an index of two sample issues (第831期 and one without a number)."""
    return private_copy(two_built)


def numbers(index: Path) -> list[int | None]:
    return sorted((i.number for i in load_index(index).issues), key=lambda n: n or 0)


def test_another_issue_under_a_known_file_name_is_added_not_replaced(two, settings, tmp_path):
    first = add_files([with_header(ISSUE_853, 855, "2025-05-06", tmp_path / "w1" / "page1.txt")],
                      two, settings)
    second = add_files([with_header(ISSUE_853, 856, "2025-05-13",
                                    tmp_path / "w2" / "page1.txt")], two, settings)
    assert first["added"] == ["page1.txt"]
    assert second["added"] == ["w2/page1.txt"] and not second["replaced"]
    assert second["summary"].startswith("added 1: 第856期 w2/page1.txt")
    assert numbers(two) == [None, 831, 855, 856]
    engine = Engine.load(two, settings)
    assert {a.source for a in engine.articles(issue=855)} == {"page1.txt"}
    assert {a.source for a in engine.articles(issue=856)} == {"w2/page1.txt"}


def test_the_same_issue_under_another_name_is_skipped_naming_the_indexed_file(two, settings,
                                                                              tmp_path):
    renamed = tmp_path / "831_copy.txt"
    renamed.write_bytes((CORPUS / ISSUE_831).read_text(encoding="utf-8").encode("gb18030"))
    build = (two / "current").resolve().name
    result = add_files([renamed], two, settings)
    assert result["skipped"] == ["831_copy.txt"] and not result["added"]
    assert ISSUE_831 in result["summary"] and "第831期" in result["summary"]
    assert result["summary"].startswith("nothing new")
    assert (two / "current").resolve().name == build  # nothing rewritten
    identical = tmp_path / "same_bytes.txt"
    shutil.copy(CORPUS / ISSUE_831, identical)
    result = add_files([identical], two, settings)
    assert result["reasons"] == [f"same_bytes.txt: already indexed as {ISSUE_831}"]


def test_a_changed_file_of_the_same_issue_replaces_it_and_says_so(two, settings, tmp_path):
    edited = tmp_path / ISSUE_831
    edited.write_text((CORPUS / ISSUE_831).read_text(encoding="utf-8").replace(
        "62名铁骑精英", "64名铁骑精英"), encoding="utf-8")
    result = add_files([edited], two, settings)
    assert result["replaced"] == [ISSUE_831] and not result["added"]
    assert result["summary"].startswith(f"replaced 1: 第831期 {ISSUE_831}")
    assert numbers(two) == [None, 831]


def test_folders_are_read_recursively_and_one_add_keeps_one_copy_of_an_issue(two, settings,
                                                                             tmp_path):
    drop = tmp_path / "drop"
    with_header(ISSUE_853, 860, "2025-06-03", drop / "2025" / "06" / "a.txt")
    copy = with_header(ISSUE_853, 860, "2025-06-03", drop / "2025" / "06" / "b.md")
    copy.write_text(copy.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # other bytes
    with_header(ISSUE_853, 861, "2025-06-10", drop / "2025" / "06" / "c.txt")
    (drop / "notes.pdf.bak").write_text("not an issue", encoding="utf-8")
    result = add_files([drop], two, settings)
    assert sorted(result["added"]) == ["a.txt", "c.txt"]
    assert result["reasons"] == ["b.md: 第860期 (2025-06-03) is in this add as a.txt"]
    assert numbers(two) == [None, 831, 860, 861]


def test_remove_takes_an_issue_number_or_a_path(two, settings, tmp_path):
    add_files([with_header(ISSUE_853, 855, "2025-05-06", tmp_path / "w1" / "page1.txt"),
               with_header(ISSUE_853, 856, "2025-05-13", tmp_path / "w2" / "page1.txt")],
              two, settings)
    assert remove_source("第855期", two, settings)["removed"] == "page1.txt"
    assert numbers(two) == [None, 831, 856]
    assert remove_source("856", two, settings)["removed"] == "w2/page1.txt"
    result = remove_source(str(CORPUS / ISSUE_831), two, settings)
    assert result["removed"] == ISSUE_831 and "第831期" in result["summary"]
    assert numbers(two) == [None]
    with pytest.raises(CorpusError, match="第999期 is not in the index"):
        remove_source("999", two, settings)


def test_cli_add_ends_with_one_summary_and_an_honest_exit_code(two, tmp_path, capsys):
    empty = tmp_path / "empty_folder"
    (empty / "sub").mkdir(parents=True)
    assert main(["add", str(empty), "--index", str(two)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no issue file" in err[0] and str(empty) in err[0]

    (tmp_path / "scan.txt").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "blank.txt").write_bytes(b"")
    assert main(["add", str(tmp_path / "scan.txt"), str(tmp_path / "blank.txt"),
                 "--index", str(two)]) == 1
    out = capsys.readouterr()
    lines = (out.out + out.err).strip().splitlines()
    assert len(lines) == 1 and "nothing added" in lines[0]
    assert lines[0].count("scan.txt") == 1 and lines[0].count("blank.txt") == 1

    assert main(["add", str(CORPUS / ISSUE_831), "--index", str(two)]) == 0
    out = capsys.readouterr()
    assert out.out.strip() == f"nothing new: {ISSUE_831}: already indexed" and not out.err


def test_build_reads_subfolders_and_remembers_files_by_relative_path(tmp_path, settings):
    corpus = tmp_path / "corpus"
    with_header(ISSUE_853, 855, "2025-05-06", corpus / "w1" / "page1.txt")
    with_header(ISSUE_853, 856, "2025-05-13", corpus / "w2" / "page1.txt")
    shutil.copy(corpus / "w1" / "page1.txt", corpus / "w1" / "page1_copy.txt")
    stats = build_index(corpus, tmp_path / "index", settings)
    assert stats["issues"] == 2
    assert any("w1/page1_copy.txt" in w and "w1/page1.txt" in w for w in stats["warnings"])
    data = load_index(tmp_path / "index")
    assert sorted(data.manifest["files"]) == ["w1/page1.txt", "w2/page1.txt"]


def test_cli_prints_each_warning_once(two, tmp_path, capsys):
    header_only = tmp_path / "header_only.txt"
    header_only.write_text("2025年1月7日 星期二\n\n第890期 本刊今日4版\n\n邮发代号 17-77\n",
                           encoding="utf-8")
    assert main(["add", str(header_only), "--index", str(two)]) == 0
    out = capsys.readouterr()
    assert out.err.count("no article found") == 1
    assert out.out.startswith("added 1: 第890期 header_only.txt")
    assert main(["remove", "第890期", "--index", str(two)]) == 0
    assert capsys.readouterr().out.startswith("removed 第890期 header_only.txt")


def test_page_files_of_one_issue_are_all_kept(two, settings):
    pages = [ROOT / "tests" / "data" / f"issue_900_p{n}.txt" for n in (1, 6)]
    result = add_files(pages, two, settings)
    assert sorted(result["added"]) == ["issue_900_p1.txt", "issue_900_p6.txt"]
    titles = {a.title for a in Engine.load(two, settings).articles(issue=900)}
    assert "邯郸交警开展电动自行车安全整治" in titles  # page 6, not taken for a copy of page 1


def test_the_size_limit_of_the_settings_given_is_applied(two, settings, tmp_path):
    """Settings passed to the API, not only the environment, set the file size limit."""
    from dataclasses import replace

    big = with_header("000_901c193272ce665a.txt", 870, "2025-08-12", tmp_path / "big.txt")
    result = add_files([big], two, replace(settings, max_file_mb=0.001))
    assert not result["added"] and "MAX_FILE_MB=0.001" in result["summary"]
    assert 870 not in numbers(two)
    assert add_files([big], two, settings)["added"]
