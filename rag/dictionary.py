"""jieba's dictionary as a trie file that opens in milliseconds.

jieba loads its dictionary by unmarshalling a dict of 498,113 words and word prefixes (1–1.5 s
per process) and `jieba.posseg` parses dict.txt again for the tags (0.6 s): most of what a
one-shot `python -m rag ask` used to take. The same words, frequencies and tags are kept here
in a marisa trie plus two arrays, built once from jieba's own dict.txt into the user cache
folder, and jieba's default tokenizers are pointed at them, so cuts are unchanged.

Nothing here is required: if the trie cannot be built or read, jieba loads the way it always
did (logged at debug level).
"""

from __future__ import annotations

import array
import contextlib
import io
import logging
import os
import struct
import threading
import zlib
from math import log
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

_MAGIC = b"RAGJIEB5"  # bumped whenever the layout changes
# Total frequency, then the byte lengths of the parts (trie, tag names, frequencies, tags) and
# a crc32 of all of them.
_HEADER = struct.Struct("<8sQ4QI")
_NO_TAG = 0xFFFF  # the tag of a key that is only a prefix of words
# Words looked up, remembered in dicts: common words make most of any text, and a dict answers
# them 5-10× faster than the trie. Bounded (cleared when full) so a server's memory stays flat;
# jieba's own FREQ held all 498,113 keys.
_SEEN_LIMIT = 300_000
_lock = threading.Lock()
_installed: Any = None  # the jieba module, once pointed at the trie (or loaded its own way)


class WordFreq:
    """jieba's `FREQ` read from the trie: a word's frequency, 0 for a mere prefix of a word
    (jieba stores every prefix so that its DAG walk knows when to stop), else missing."""

    __slots__ = ("_trie", "_freq", "_seen")

    def __init__(self, trie: Any, freq: array.array) -> None:
        self._trie, self._freq = trie, freq
        self._seen: dict[str, int] = {}  # word or prefix → frequency, -1 when not a key

    def lookup(self, key: str) -> int:
        """The frequency of `key`, 0 for a prefix, -1 when it is neither word nor prefix."""
        seen = self._seen
        if len(seen) >= _SEEN_LIMIT:
            seen.clear()
        n = self._trie.get(key)
        freq = seen[key] = -1 if n is None else self._freq[n]
        return freq

    def __contains__(self, word: str) -> bool:
        return self.get(word) is not None

    def __getitem__(self, word: str) -> int:
        got = self.get(word)
        if got is None:
            raise KeyError(word)
        return got

    def get(self, word: str, default: int | None = None) -> int | None:
        freq = self._seen.get(word)
        if freq is None:
            freq = self.lookup(word)
        return default if freq < 0 else freq

    def __setitem__(self, word: str, freq: int) -> None:
        raise TypeError("jieba's dictionary is read-only here (rag.dictionary): "
                        "jieba.add_word and user dictionaries are not supported")


class WordTags:
    """posseg's `word_tag_tab` read from the trie: the dictionary's tag of a word."""

    __slots__ = ("_trie", "_tags", "_names", "_seen")

    def __init__(self, trie: Any, tags: array.array, names: list[str]) -> None:
        self._trie, self._tags, self._names = trie, tags, names
        self._seen: dict[str, str | None] = {}

    def get(self, word: str, default: str | None = None) -> str | None:
        try:
            tag = self._seen[word]
        except KeyError:
            if len(self._seen) >= _SEEN_LIMIT:
                self._seen.clear()
            n = self._trie.get(word)
            n = _NO_TAG if n is None else self._tags[n]
            tag = self._seen[word] = None if n == _NO_TAG else self._names[n]
        return default if tag is None else tag

    def update(self, other: dict) -> None:
        if other:
            raise TypeError("jieba's dictionary is read-only here (rag.dictionary)")


class _Dag(dict):
    """jieba's DAG (start → ends of the words starting there) that also carries the log
    frequency of each of those words, so that `calc` need not look them up again."""

    __slots__ = ("weights",)


class Dictionary:
    """One jieba dictionary file as a trie of its words and their prefixes (jieba's FREQ
    keys) indexing arrays of frequencies and tags."""

    def __init__(self, trie: Any, freq: array.array, tags: array.array, names: list[str],
                 total: int) -> None:
        self.trie, self.total = trie, total
        self.freq = WordFreq(trie, freq)
        self.tags = WordTags(trie, tags, names)

    def get_dag(self, sentence: str) -> dict[int, list[int]]:
        """jieba's `Tokenizer.get_DAG`, the same walk: from each start, extend while the
        text is a word or a word's prefix, keeping the ends of words (frequency above 0);
        the start alone when none. Their log frequencies go along for `calc`."""
        seen, lookup = self.freq._seen, self.freq.lookup
        n = len(sentence)
        dag = _Dag()
        dag.weights = weights = {}
        for k in range(n):
            ends, logs = [], []
            i, frag = k, sentence[k]
            while True:
                freq = seen.get(frag)
                if freq is None:
                    freq = lookup(frag)
                if freq < 0:
                    break
                if freq:
                    ends.append(i)
                    logs.append(log(freq))
                i += 1
                if i >= n:
                    break
                frag = sentence[k:i + 1]
            if ends:
                dag[k], weights[k] = ends, logs
            else:
                dag[k] = [k]
        return dag

    def calc(self, sentence: str, dag: dict[int, list[int]],
             route: dict[int, tuple[float, int]]) -> None:
        """jieba's `Tokenizer.calc` (the best path through the DAG) with the same arithmetic:
        log(frequency or 1) - log(total) + the best score after the word."""
        weights = getattr(dag, "weights", None)
        if weights is None:  # a DAG made elsewhere: look the words up
            weights = {k: [log(self.freq.get(sentence[k:x + 1]) or 1) for x in ends]
                       for k, ends in dag.items()}
        n = len(sentence)
        route[n] = (0, 0)
        logtotal = log(self.total)
        for idx in range(n - 1, -1, -1):
            logs = weights.get(idx)
            if logs is None:  # no word starts here: the character alone, log 1 = 0
                route[idx] = (0.0 - logtotal + route[idx + 1][0], idx)
            else:
                route[idx] = max((f - logtotal + route[x + 1][0], x)
                                 for f, x in zip(logs, dag[idx]))


def dict_path() -> Path:
    import jieba

    return Path(jieba.__file__).parent / "dict.txt"


def cache_path(source: Path) -> Path:
    """Where the trie of `source` is kept: named by its size and mtime, so a new dict.txt
    (a jieba upgrade) gets a new trie."""
    stat = source.stat()
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gazk-rag"
    return root / f"jieba-{stat.st_size}-{stat.st_mtime_ns}.trie"


def build(source: Path) -> bytes:
    """The trie file of a jieba dictionary (lines "word freq tag"), as jieba reads it: a
    later line of the same word wins, and every line counts towards the total."""
    import marisa_trie

    words: dict[str, tuple[int, str]] = {}
    total = 0
    with open(source, "rb") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip().decode("utf-8")
            if not line:
                continue
            try:
                word, freq, tag = line.split(" ")
                words[word] = (int(freq), tag)
            except ValueError:
                raise ValueError(f"invalid dictionary entry in {source} at line {lineno}: "
                                 f"{line}") from None
            total += int(freq)
    prefixes = {w[:n] for w in words for n in range(1, len(w))}
    trie = marisa_trie.Trie(prefixes | words.keys())
    names = sorted({tag for _, tag in words.values()})
    number = {name: n for n, name in enumerate(names)}
    freq = array.array("I", bytes(4 * len(trie)))
    tags = array.array("H", [_NO_TAG]) * len(trie)
    for word, key in trie.iteritems():
        if word in words:
            freq[key], tags[key] = words[word][0], number[words[word][1]]
    parts = [trie.tobytes(), " ".join(names).encode("utf-8"), freq.tobytes(), tags.tobytes()]
    body = b"".join(parts)
    return _HEADER.pack(_MAGIC, total, *map(len, parts), zlib.crc32(body)) + body


def read(data: bytes) -> Dictionary:
    """A trie file made by `build`; ValueError when it is truncated or damaged."""
    import marisa_trie

    if len(data) < _HEADER.size:
        raise ValueError("truncated dictionary trie")
    magic, total, *lengths, crc = _HEADER.unpack_from(data)
    body = memoryview(data)[_HEADER.size:]
    if magic != _MAGIC or len(body) != sum(lengths) or zlib.crc32(body) != crc:
        raise ValueError("damaged dictionary trie")
    parts, start = [], 0
    for length in lengths:
        parts.append(body[start:start + length])
        start += length
    trie = marisa_trie.Trie().frombytes(bytes(parts[0]))
    freq, tags = array.array("I"), array.array("H")
    freq.frombytes(parts[2])
    tags.frombytes(parts[3])
    if not len(trie) == len(freq) == len(tags):
        raise ValueError("damaged dictionary trie")
    return Dictionary(trie, freq, tags, bytes(parts[1]).decode("utf-8").split(" "), total)


def load(source: Path | None = None) -> Dictionary:
    """The trie of `source` (default: jieba's dict.txt) from the cache, built and cached
    (written atomically) when missing or damaged."""
    source = source or dict_path()
    path = cache_path(source)
    try:
        return read(path.read_bytes())
    except ValueError as err:
        logger.warning("rebuilding %s: %s", path, err)
    except OSError:  # not built yet, or no cache folder to be had
        pass
    data = build(source)
    tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, path)  # readers see the old file or the whole new one
    except OSError as err:  # a read-only home: this process still uses what it built
        logger.warning("cannot cache jieba's dictionary at %s (%s)", path, err)
        with contextlib.suppress(OSError):
            tmp.unlink()
    return read(data)


def install(dictionary: Dictionary) -> None:
    """Point jieba's default tokenizer and posseg's at `dictionary` (jieba's own dict.txt:
    anything else would change the cuts under jieba's name)."""
    import jieba

    dt = jieba.dt
    with dt.lock:
        dt.FREQ, dt.total, dt.initialized = dictionary.freq, dictionary.total, True
        dt.get_DAG, dt.calc = dictionary.get_dag, dictionary.calc
        # Importing posseg builds its tagger, which parses dict.txt for the tags: give it an
        # empty file to parse and hand it the trie's tags instead.
        dt.get_dict_file = lambda: io.BytesIO()
        try:
            import jieba.posseg
        finally:
            del dt.get_dict_file
        jieba.posseg.dt.word_tag_tab = dictionary.tags


def jieba_module() -> Any:
    """jieba, with its default tokenizer (and posseg's) loaded: from the trie when it can be,
    else jieba's own way."""
    global _installed
    with _lock:
        if _installed is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            try:
                install(load())
            except Exception as err:  # noqa: BLE001 - a cache must never break tokenizing
                logger.debug("jieba loads its own dictionary (%s)", err)
                jieba.initialize()
                import jieba.posseg  # noqa: F401 - loads the tags
            _installed = jieba
        return _installed
