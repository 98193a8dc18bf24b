"""jieba's dictionary from rag.dictionary's trie: the same words, tags and cuts as jieba's own
loader, and a cache file that is rebuilt when missing or damaged."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import jieba
import pytest

from rag import dictionary
from rag.text import _load_jieba, place_levels, pos_tag, quick_tag, split_sentences, tokenize

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def reference():
    """jieba's own tokenizer and tagger, loaded the way jieba loads them."""
    installed = _load_jieba()  # first, so that importing posseg below finds the trie in place
    from jieba.posseg import POSTokenizer

    own = jieba.Tokenizer()
    own.initialize()
    return installed, own, POSTokenizer(own)


def _sentences() -> list[str]:
    files = sorted(ROOT.glob("corpus/*.txt")) + sorted(ROOT.glob("corpus/*.md"))
    return [s for f in files for s in split_sentences(f.read_text(encoding="utf-8"))]


def test_the_trie_holds_jiebas_words_frequencies_and_tags(reference):
    installed, own, own_tags = reference
    assert isinstance(installed.dt.FREQ, dictionary.WordFreq)  # not jieba's own dict
    freq, tags = installed.dt.FREQ, installed.posseg.dt.word_tag_tab
    assert installed.dt.total == own.total and len(installed.dt.FREQ._trie) == len(own.FREQ)
    # Every word and every prefix jieba stores (a prefix has frequency 0).
    assert [w for w, f in own.FREQ.items() if freq.get(w) != f or w not in freq] == []
    assert [w for w, t in own_tags.word_tag_tab.items() if tags.get(w) != t] == []
    for absent in ("廊坊市公安局政务服务", "zzzz", "。"):
        assert absent not in own.FREQ and absent not in freq
        assert freq.get(absent) is None and tags.get(absent, "x") == "x"
    with pytest.raises(TypeError):
        installed.add_word("廊坊市公安局政务服务专班")


def test_cuts_and_tags_equal_jiebas_own_on_the_sample_corpus(reference):
    installed, own, own_tags = reference
    sentences = _sentences()
    assert len(sentences) > 500
    for s in sentences:
        assert list(installed.cut_for_search(s)) == list(own.cut_for_search(s)), s
        assert installed.lcut(s) == own.lcut(s), s
        assert pos_tag(s, places=False) == [(p.word, p.flag) for p in own_tags.cut(s)], s
        tagged = [(w, own_tags.word_tag_tab.get(w, "x")) for w in own.lcut(s)]
        assert quick_tag(s) == tagged, s
    assert tokenize("廊坊市公安局在政务服务中心") == ["廊坊", "廊坊市", "公安", "公安局", "政务",
                                                   "服务", "中心", "服务中心"]


def test_places_jieba_takes_for_people_are_tagged_as_places():
    """jieba tags 石家庄, 承德 and 隆尧县 as a person's name and finds 唐山 a name by its HMM: a
    Hebei story's city passed for a person (`unnamed`, the questions `rag train` makes). The words of
    `rag/places.txt` are each one of those (`bench/make_places.py` made the list), and
    `pos_tag` tags them ns; a county's two-character name is a place only before 市, 县, 区,
    警方 …, since it is often a given name too. `quick_tag`, the rankers', keeps jieba's tags."""
    from rag.answer.names import unnamed

    places = place_levels()
    assert {"石家庄", "唐山", "承德", "秦皇岛", "张家口", "隆尧县", "乐亭"} <= set(places)
    if str(ROOT) not in sys.path:  # bench/ is a folder of scripts, not an installed package
        sys.path.insert(0, str(ROOT))
    from bench.make_places import tagged_as_person

    for word in places:
        assert tagged_as_person(word), word
    for text, word in [("省公安厅在石家庄举行表彰仪式", "石家庄"), ("唐山警方破获一起案件", "唐山"),
                       ("隆尧县公安局破获一起案件", "隆尧县"), ("乐亭警方提醒", "乐亭"),
                       ("在鹿泉区", "鹿泉")]:
        assert (word, "ns") in pos_tag(text), text
    assert ("乐亭", "nr") in pos_tag("他叫乐亭")  # a given name
    assert ("张东明", "nr") in pos_tag("民警张东明说")
    # 石家庄 named no one: asked which official, this sentence does not say
    assert unnamed("表彰仪式上是省厅哪位领导颁的奖？", "7月10日，省公安厅在石家庄举行命名表彰仪式。")
    assert not unnamed("表彰仪式上是省厅哪位领导颁的奖？", "副厅长王建国在石家庄为他们颁奖。")


def test_calc_scores_a_plain_dag_as_jieba_does(reference):
    """`calc` reads the frequencies its own DAG carries; a DAG made elsewhere (a plain dict)
    is looked up instead, with the same routes as jieba's."""
    installed, own, _ = reference
    dictionary_ = installed.dt.calc.__self__
    for s in _sentences()[:200]:
        mine, plain, theirs = {}, {}, {}
        dag = dictionary_.get_dag(s)
        assert dag == own.get_DAG(s)
        dictionary_.calc(s, dag, mine)
        dictionary_.calc(s, dict(dag), plain)
        own.calc(s, own.get_DAG(s), theirs)
        assert mine == plain == theirs, s


def _small_dict(tmp_path: Path) -> Path:
    """The first 3,000 lines of jieba's dict.txt (a fast build) and a word given twice."""
    lines = dictionary.dict_path().read_text(encoding="utf-8").splitlines()[:3000]
    path = tmp_path / "dict.txt"
    path.write_text("\n".join([*lines, "一一 5 m"]) + "\n", encoding="utf-8")
    return path


def test_a_fresh_cache_folder_gets_the_trie_built_and_reused(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = _small_dict(tmp_path)
    built = dictionary.load(source)
    cached = dictionary.cache_path(source)
    assert cached.is_file() and cached.is_relative_to(tmp_path / "cache")
    lines = [line.split(" ") for line in source.read_text(encoding="utf-8").splitlines()]
    # jieba's rules: the later line of a word wins, every line counts towards the total.
    assert built.total == sum(int(f) for _, f, _ in lines)
    assert built.freq["一一"] == 5 and built.tags.get("一一") == "m"
    assert built.freq["一"] > 0 and built.freq.get("一一一") in (None, 0)
    stamp = cached.stat().st_mtime_ns
    again = dictionary.load(source)
    assert cached.stat().st_mtime_ns == stamp  # read, not rebuilt
    assert again.total == built.total
    assert again.get_dag("一一x") == {0: [0, 1], 1: [1], 2: [2]}  # 一, 一一; x is no word


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_a_damaged_cache_file_is_rebuilt(tmp_path, monkeypatch, caplog, damage):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = _small_dict(tmp_path)
    good = dictionary.load(source)
    cached = dictionary.cache_path(source)
    data = cached.read_bytes()
    cached.write_bytes({"truncate": data[: len(data) // 2],
                        "flip": data[:100] + bytes([data[100] ^ 0xFF]) + data[101:],
                        "garbage": b"\x00" * len(data), "empty": b""}[damage])
    with caplog.at_level(logging.WARNING, logger="rag.dictionary"):
        rebuilt = dictionary.load(source)
    assert "rebuilding" in caplog.text
    assert cached.read_bytes() == data
    words = [w.split(" ")[0] for w in source.read_text(encoding="utf-8").splitlines()]
    assert [rebuilt.freq[w] for w in words] == [good.freq[w] for w in words]


def test_an_unwritable_cache_still_gives_the_dictionary(tmp_path, monkeypatch):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    source = _small_dict(tmp_path)
    assert dictionary.load(source).freq["一一"] == 5
