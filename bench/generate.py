"""Synthetic 公安周刊 archive for benchmarks: N issue files recombined from the sample corpus.

Plain text generation, independent of the `rag` package, so the real parser, chunker and
indexer can be measured on an archive of any size. Every issue is drawn from its own
`random.Random(f"{seed}:{i}")`, so issue i is the same whatever N is: the files of a run
at N=100 are the first 100 files of a run at N=1,000.

    python bench/generate.py OUT_DIR --issues 1000 --seed 0
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import re
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/generate.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.material import (  # noqa: E402
    _LEAD_RE,
    CORPUS_DIR,
    TOPICS,
    Material,
    SourceArticle,
    _starts_unit,
    _units,
    load_material,
)

#: Issue 831 came out on Tuesday 2024-10-29; generated issues keep that weekly rhythm.
ANCHOR_NUMBER = 831
ANCHOR_DATE = dt.date(2024, 10, 29)
FIRST_NUMBER = 700
#: Characters of article text per issue; the samples hold 4,500-6,800 (13-19 KB).
ISSUE_CHARS = (3900, 5600)

WEEKDAYS = "一二三四五六日"
_FILE_RE = re.compile(r"^\d{4}_[0-9a-f]{16}\.txt$")

# --- substitutions ---------------------------------------------------------------------

CITIES = ["石家庄", "唐山", "秦皇岛", "邯郸", "邢台", "保定", "张家口", "承德", "沧州", "廊坊",
          "衡水"]
#: Counties and districts named in the samples (safe to find as substrings there) ...
SOURCE_COUNTIES = ["香河", "玉田", "永清", "枣强", "怀安", "故城", "固安", "冀州", "藁城",
                   "桃城", "路北", "丛台", "桥西", "桥东"]
#: ... and what they may become.
COUNTIES = SOURCE_COUNTIES + [
    "正定", "滦州", "迁安", "遵化", "丰润", "武安", "磁县", "临城", "南宫", "清河", "涿州",
    "安国", "蔚县", "宣化", "兴隆", "隆化", "黄骅", "任丘", "河间", "三河", "霸州", "大城",
    "安平", "饶阳", "深州", "景县", "武邑", "赞皇", "平山", "晋州", "新乐", "卢龙", "昌黎",
    "抚宁", "青龙", "内丘", "柏乡", "隆尧", "宁晋", "威县", "顺平", "唐县", "望都", "易县",
    "曲阳", "蠡县", "博野", "雄县", "涞水", "阜平", "定兴", "康保", "沽源", "尚义", "阳原",
    "怀来", "涿鹿", "赤城", "平泉", "滦平", "丰宁", "宽城", "围场", "青县", "东光", "海兴",
    "盐山", "肃宁", "南皮", "吴桥", "献县", "孟村", "泊头", "文安", "大厂", "枣强", "阜城",
]

SURNAMES = ("张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐韩冯于董程曹袁邓许傅沈曾彭吕"
            "苏卢蒋蔡贾丁魏薛叶阎潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
            "顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂华建国志红文辉力鹏飞晨雪梅兰宇浩然"
         "佳琪哲新茂春雷峰海波云龙玉德昊天博瑞欣怡子轩宁安立业海燕振东晓光嘉禾思远")

# Measure words after a count: the numbers worth perturbing (not dates, phone lines, "110").
_COUNT_RE = re.compile(
    r"(?<![\d.])(\d+(?:\.\d+)?)(?=(?:余|多)?(?:名|个|件|起|人|辆|次|项|处|条|支|户|元|万|亿|"
    r"小时|分钟|公里|米|面|封|家|所|张|份|台|架|%))"
)
_DATE_RE = re.compile(r"(?<!\d)(\d{1,2})月(\d{1,2})日(?:(至|到|、)(\d{1,2})日)?")
_YEAR_RE = re.compile(r"(?<!\d)(20[0-2]\d)年")

# --- title templates, by topic ---------------------------------------------------------

_UNITS = {
    "traffic": ("公安交警支队", "交警大队", "公安交管局", "高速交警大队"),
    "crime": ("公安局刑警大队", "公安局", "公安分局", "反诈中心"),
    "service": ("公安局", "公安分局", "出入境管理大队", "政务服务中心"),
    "community": ("派出所", "公安分局", "公安局", "社区警务室"),
}
_ACTIONS = {
    "traffic": ("开展“平安出行”交通安全宣传", "整治电动自行车违法行为", "举办铁骑技能比武",
                "推进农村道路交通安全管理", "开展“护学岗”专项行动", "严查酒驾醉驾",
                "守护春运平安", "优化重点路口通行秩序", "开展货车超载专项整治"),
    "crime": ("破获一起电信网络诈骗案", "打掉一个涉恶犯罪团伙", "开展夏季治安打击整治行动",
              "侦破系列盗窃案", "追回被骗资金", "开展“冬季攻势”专项行动", "捣毁一个赌博窝点",
              "抓获一名网上逃犯"),
    "service": ("推出便民利民新举措", "深化“放管服”改革", "实现户籍业务“跨省通办”",
                "打造“寄存办”服务", "优化营商环境", "开通出入境“绿色通道”",
                "推行“一窗通办”", "延时服务暖民心"),
    "community": ("扎实开展矛盾纠纷排查化解", "警民“微恳谈”拉近距离", "义警巡逻守护平安",
                  "帮助走失老人回家", "打造“枫桥式公安派出所”", "开展反诈宣传进社区",
                  "守护平安校园", "“背包警务”送服务上门"),
}
_TITLE_FORMS = ("{place}{unit}{action}", "{place}公安{action}", "{place}{unit}：{action}",
                "{action} {place}{unit}在行动")
_SUBTITLE_FORMS = ("——{place}{unit}工作侧记", "——{place}{unit}工作纪实",
                   "——记{place}{unit}的民警们", "——{place}{unit}{action}小记")
_CAPTION_TAILS = ("图为民警向群众发放宣传资料。", "图为活动现场。", "图为民警为群众答疑。",
                  "图为执勤民警疏导交通。")


# --- the material extracted from the samples --------------------------------------------


def issue_date(number: int) -> dt.date:
    return ANCHOR_DATE + dt.timedelta(weeks=number - ANCHOR_NUMBER)


class _IssueWriter:
    """Builds the text of one issue; all randomness comes from `rng`."""

    def __init__(self, material: Material, rng: random.Random, number: int) -> None:
        self.m, self.rng, self.number = material, rng, number
        self.date = issue_date(number)
        self.markdown = rng.random() < 0.4  # like 001/002, the rest like 000
        self.comma = "，" if rng.random() < 0.75 else ","  # some extractions lose full width
        self.used: set[int] = set()

    # names and places
    def name(self) -> str:
        if self.m.names and self.rng.random() < 0.3:
            return self.rng.choice(self.m.names)
        given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2))))
        return self.rng.choice(SURNAMES) + given

    def names(self, most: int) -> str:
        return " ".join(self.name() for _ in range(self.rng.randint(1, most)))

    def place(self) -> str:
        if self.rng.random() < 0.6:
            return self.rng.choice(CITIES) + "市"
        county = self.rng.choice(COUNTIES)
        return county if county.endswith("县") else county + self.rng.choice(("县", "县", "区"))

    def substitute(self, texts: list[str]) -> list[str]:
        """Move an article to other places, counts and dates, consistently within it."""
        joined = "\n".join(texts)
        mapping: dict[str, str] = {}
        for pool, found in ((CITIES, CITIES), (COUNTIES, SOURCE_COUNTIES)):
            for old in found:
                if old in joined:
                    mapping[old] = self.rng.choice(pool)
        if mapping:
            pattern = re.compile("|".join(sorted(map(re.escape, mapping), key=len, reverse=True)))
            joined = pattern.sub(lambda m: mapping[m.group(0)], joined)
        joined = _COUNT_RE.sub(self._count, joined)
        joined = _DATE_RE.sub(self._day, joined)
        shift = self.date.year - 2024
        joined = _YEAR_RE.sub(lambda m: f"{min(int(m.group(1)) + shift, self.date.year)}年", joined)
        return joined.replace("县县", "县").split("\n")

    def _count(self, m: re.Match[str]) -> str:
        old = m.group(1)
        value = float(old) * self.rng.uniform(0.55, 1.6)
        if m.string.startswith("%", m.end()) and float(old) <= 100:
            value = min(value, 99.0 + self.rng.random())  # a share stays a share
        if "." in old:
            return f"{value:.{len(old.split('.')[1])}f}"
        return str(max(1, round(value)))

    def _day(self, m: re.Match[str]) -> str:
        day = self.date - dt.timedelta(days=self.rng.randint(1, 12))
        if m.group(3):
            end = day + dt.timedelta(days=1)
            return f"{day.month}月{day.day}日{m.group(3)}{end.day}日"
        return f"{day.month}月{day.day}日"

    # articles
    def title(self, topic: str, base: SourceArticle) -> str:
        # A sample headline only when it names a place that substitution will change: the
        # same headline over the same sentences would make duplicate chunks, which the
        # indexer embeds once, flattering the build.
        named = any(p in base.title for p in CITIES + SOURCE_COUNTIES)
        if named and self.rng.random() < 0.5:
            return base.title
        form = self.rng.choice(_TITLE_FORMS)
        return form.format(place=self.place(), unit=self.rng.choice(_UNITS[topic]),
                           action=self.rng.choice(_ACTIONS[topic]))

    def paragraphs(self, kind: str, topic: str, budget: int) -> tuple[SourceArticle, list[str]]:
        """A base article's paragraphs with some swapped in from an article of its kind."""
        pool = self.m.of_kind(kind, topic)
        # No story twice in one issue: fall back to another topic, then to a repeat.
        fresh = [a for a in pool if id(a) not in self.used] or [
            a for a in self.m.of_kind(kind, "") if id(a) not in self.used] or pool
        base = self.rng.choice(fresh)
        self.used.add(id(base))
        paras = list(base.paragraphs)
        donors = [p for a in pool if a is not base for p in a.paragraphs[1:]]
        for _ in range(self.rng.randint(0, 2)):
            if donors and len(paras) > 1:
                paras[self.rng.randrange(1, len(paras))] = self.rng.choice(donors)
        rest = paras[1:]
        if self.rng.random() < 0.5:
            self.rng.shuffle(rest)
        chosen, size = [paras[0]], len(paras[0])
        for p in rest:
            if size + len(p) > budget and len(chosen) >= 2:
                break
            chosen.append(p)
            size += len(p)
        return base, chosen

    def article(self, kind: str) -> list[str]:
        """The lines of one article in the paper's layout."""
        topic = self.rng.choice(TOPICS)
        budget = self.rng.randint(700, 1700) if kind == "feature" else self.rng.randint(180, 650)
        base, paras = self.paragraphs(kind, topic, budget)
        title = self.title(topic, base)
        subtitle = ""
        if kind == "feature" and self.rng.random() < 0.6:
            subtitle = base.subtitle if base.subtitle and self.rng.random() < 0.3 else (
                self.rng.choice(_SUBTITLE_FORMS).format(
                    place=self.place(), unit=self.rng.choice(_UNITS[topic]),
                    action=self.rng.choice(_ACTIONS[topic])))
        kicker = base.kicker if base.kicker and self.rng.random() < 0.3 else ""
        texts = self.substitute([kicker, title, subtitle, *paras])
        kicker, title, subtitle, paras = texts[0], texts[1], texts[2], texts[3:]
        paras = [self.pdf_noise(p) for p in paras]

        h1, h2, h3 = ("# ", "## ", "### ") if self.markdown else ("", "", "●")
        lines = [kicker] if kicker else []
        lines.append(h1 + title if self.markdown else title)
        if subtitle:
            lines.append(h2 + subtitle)
        if kind == "feature":
            lines.append(f"□ {self.names(3)}")
            body = list(paras)
            if len(body) >= 4 and self.m.subheads and self.rng.random() < 0.5:
                step = max(2, len(body) // 3)
                for at in range(len(body) - step, 0, -step):
                    body.insert(at, h3 + self.rng.choice(self.m.subheads))
            lines.extend(body)
            if self.rng.random() < 0.15:
                lines.append(f"（下转第{self.rng.randint(5, 8)}版）")
        else:
            lead = f"本报讯（{self.names(2)}）" if self.rng.random() < 0.8 else (
                f"河北法制报讯 （{self.names(2)}）")
            lines.append(lead + paras[0])
            lines.extend(paras[1:])
        return lines

    def pdf_noise(self, para: str) -> str:
        """Now and then break a paragraph mid-sentence, as the PDF extraction does."""
        para = para if self.comma == "，" else para.replace("，", ",")
        if len(para) > 80 and self.rng.random() < 0.12:
            cut = self.rng.randint(20, len(para) - 20)
            return para[:cut] + "\n\n" + para[cut:]
        return para

    def caption(self) -> list[str]:
        text = self.rng.choice(self.m.captions) if self.m.captions else ""
        if not text or self.rng.random() < 0.3:
            day = self.date - dt.timedelta(days=self.rng.randint(1, 10))
            text = (f"{day.month}月{day.day}日，{self.place()}公安局民警深入辖区开展"
                    f"{self.rng.choice(_ACTIONS[self.rng.choice(TOPICS)])}活动。"
                    f"{self.rng.choice(_CAPTION_TAILS)}")
        return [self.substitute([text])[0], f"{self.names(2)} 摄"]

    # the issue
    def header(self) -> list[str]:
        d = self.date
        masthead = "## 公安周刊" if self.markdown else "公安周刊"
        motto = ("**对党忠诚 服务人民  \n执法公正 纪律严明**" if self.markdown
                 else "**对党忠诚 服务人民\n执法公正 纪律严明**")
        return [
            "",
            f"{d.year}年{d.month}月{d.day}日 星期{WEEKDAYS[d.weekday()]}",
            f"第{self.number}期 本刊今日4版",
            "国内统一连续出版物号 CN13-0079",
            "邮发代号 17-77",
            masthead + "\n\n",
            motto,
        ]

    def footer(self) -> list[str]:
        return [
            f"责编：{self.name()}\n版式：{self.name()}",
            f"省厅编审：{self.name()} 0311-669908{self.rng.randint(10, 99)}",
            f"编辑部主任：{self.name()} 139{self.rng.randint(10**7, 10**8 - 1)}",
            "编辑部地址：红旗大街134号河北法治报社\n槐安西路276号河北省公安厅",
            "邮箱：hbfbzbgazk@126.com(新闻)\ngazkfk@126.com(副刊)",
        ]

    def write(self) -> str:
        target = self.rng.randint(*ISSUE_CHARS)
        blocks: list[list[str]] = []
        size = 0
        n_photos = self.rng.randint(1, 2)
        kinds = ["feature"] + ["news"] * self.rng.randint(2, 4) + ["feature"]
        while size < target or len(blocks) < 8:
            kind = kinds[len(blocks)] if len(blocks) < len(kinds) else self.rng.choice(
                ("news", "news", "feature"))
            block = self.article(kind)
            blocks.append(block)
            size += sum(map(len, block))
            if len(blocks) >= 14:
                break
        for _ in range(n_photos):
            blocks.insert(self.rng.randint(1, len(blocks)), self.caption())
        lines = self.header() + [line for block in blocks for line in block] + self.footer()
        return "\n\n".join(lines) + "\n"


def generate(out_dir: str | Path, n_issues: int = 1000, seed: int = 0,
             corpus_dir: str | Path = CORPUS_DIR, first_number: int = FIRST_NUMBER) -> list[Path]:
    """Write `n_issues` issue files into `out_dir` and return their paths in issue order.

    Files a previous run left there (same naming scheme) are removed first, so the folder
    holds exactly this archive.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.txt"):
        if _FILE_RE.match(old.name):
            old.unlink()
    return [write_issue(out, i, seed, corpus_dir, first_number) for i in range(n_issues)]


def write_issue(out_dir: str | Path, i: int, seed: int = 0, corpus_dir: str | Path = CORPUS_DIR,
                first_number: int = FIRST_NUMBER) -> Path:
    """Write issue i of the archive (number `first_number + i`) into `out_dir`."""
    rng = random.Random(f"{seed}:{i}")
    text = _IssueWriter(load_material(Path(corpus_dir)), rng, first_number + i).write()
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    path = Path(out_dir) / f"{i:04d}_{digest}.txt"
    path.write_text(text, encoding="utf-8")
    return path


# --- questions about generated files ---------------------------------------------------

_SENTENCE_RE = re.compile(r"[^。！？!?]+[。！？!?]")
_CLAUSE_SPLIT = re.compile(r"[，,；;：:]")


def make_questions(paths: list[Path], n: int, seed: int = 0) -> list[dict[str, str]]:
    """Questions whose answer is a count stated in a generated file.

    "出动467名警力" becomes "…出动多少名警力？" with the clause before it for context. The
    same sentence, with other counts, recurs across issues, so these measure latency, not
    accuracy.
    """
    rng = random.Random(seed)
    per_file = []
    for path in paths:
        found = _count_questions(path)
        rng.shuffle(found)
        per_file.append((path.name, found))
    rng.shuffle(per_file)
    questions: list[dict[str, str]] = []
    # Round robin over the files: as many files as possible before a second one from any.
    for depth in range(max((len(f) for _, f in per_file), default=0)):
        for name, found in per_file:
            if len(questions) >= n:
                return questions
            if depth < len(found):
                question, answer = found[depth]
                questions.append({"question": question, "source": name, "answer": answer})
    return questions


def _count_questions(path: Path) -> list[tuple[str, str]]:
    """(question, answer) for every clause of the file that states a count."""
    found = []
    for para in _units(path.read_text(encoding="utf-8")):
        if len(para) < 60 or _starts_unit(para) and not _LEAD_RE.match(para):
            continue
        for sentence in _SENTENCE_RE.findall(_LEAD_RE.sub("", para)):
            clauses = [c for c in _CLAUSE_SPLIT.split(sentence.strip("。！？!? ")) if c]
            for j, clause in enumerate(clauses):
                m = _COUNT_RE.search(clause)
                if m and len(clause) >= 6:
                    context = clauses[j - 1] + "，" if j and len(clauses[j - 1]) < 25 else ""
                    q = context + clause[:m.start()] + "多少" + clause[m.end():]
                    found.append((q.lstrip("“‘\"") + "？", m.group(1)))
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--issues", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    paths = generate(args.out_dir, args.issues, args.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} issues, {size / len(paths) / 1024:.1f} KB each, to {args.out_dir}")


if __name__ == "__main__":
    main()
