"""What a question asks of the catalog rather than of the text: what an issue contains, when it
came out, which articles are about a topic, who wrote one (`rag.search.refs` sets the flags,
`rag.answer.catalog` answers them from the index's metadata)."""

from __future__ import annotations

import re

# What may be left of a contents or date question besides its question words.
_FILLER = (
    r"《?公安周刊》?|周刊|报纸|本报|请问|一下|告诉我|我想知道|帮我|看看|列出|列一下|一共|总共|"
    r"主要|里面|[这那是的了呢吗呀啊都里中上和与及在从]|[\s，,。？?！!、：:；;\x00]"
)
_CONTENTS = re.compile(
    r"(?:讲|说|写|登|刊登|刊发|报道|介绍|发表|发|出|有|包括|包含|涉及)了?些?(?:什么|啥|哪些)"
    r"(?:内容|文章|报道|新闻|稿件|东西)?|哪些(?:文章|内容|报道|新闻|稿件|栏目)|讲的是?(?:什么|啥)|"
    r"内容(?:是什么|有哪些|有什么)?|目录|(?:文章|标题)(?:列表)?"
)
# "哪篇报道讲了铁骑比武？", "有哪些关于反诈的文章": the articles about a topic, not a fact.
_WHICH_ARTICLES = re.compile(
    r"(?:哪一?篇|哪几篇|哪些|什么|有没有)(?:相关|有关)?的?(?:文章|报道|稿件|新闻)|"
    r"(?:文章|报道|稿件|新闻)(?:有哪些|是哪[篇些])|哪[篇期]报道|"
    r"(?:哪一?篇|哪几篇|哪些|什么|有没有)(?:关于|有关)[^，。？?]{1,30}?的(?:文章|报道|稿件|新闻)"
)
# "铁骑比武的报道是谁写的", "这篇文章的作者是谁": the byline. Only a report or an article is
# asked about: "《论自由》的作者是谁" and "感谢信是谁写的" ask about what the text says.
_REPORT = r"(?:报道|文章|稿件|新闻|稿子|这篇|那篇|一文)"
_WRITER = r"(?:作者|撰稿人|执笔人|署名|记者|通讯员)"  # who signs it
_WROTE = r"(?:写|撰写|采写|撰稿|执笔)"
_WHO = r"(?:谁|哪位|哪个人|哪些人)"
_NAMED = r"(?:谁|哪位|哪些人|什么名字|叫什么)"  # what is asked of the writer
_WHO_WRITES = r"(?:谁|哪位记者|哪位作者)(?:写|撰写|采写)"
_WHO_WROTE = re.compile(
    rf"{_REPORT}的?{_WRITER}(?:是|为|有|叫)?{_NAMED}|"
    rf"{_REPORT}的?(?:是|由)?{_WHO}(?:记者|作者|通讯员)?{_WROTE}|"
    rf"{_WHO_WRITES}了?[^，。？?]{{1,30}}{_REPORT}|"
    r"(?:是)?(?:哪位|哪个|哪些)(?:记者|作者|通讯员)[\s？?]*$|"
    rf"(?:作者|撰稿人)[\s？?]*$|{_REPORT}的?(?:记者|通讯员)[\s？?]*$"
)
# "作者是谁？", "这篇报道是谁写的？": the byline and nothing else, so in a conversation it is the
# byline of the article just cited.
_BYLINE_ONLY = re.compile(
    r"^(?:请问)?(?:这|那|该|上面|刚才)?(?:一?篇)?(?:报道|文章|稿子|新闻|稿件)?的?"
    rf"(?:(?:作者|记者|撰稿人|通讯员|执笔人)(?:是|为|叫|有)?{_NAMED}?|"
    rf"(?:是|由)?{_WHO_WRITES}的?)[\s？?。！!]*$"
)


def asks_byline_only(question: str) -> bool:
    """"作者是谁？", "这篇报道是谁写的？": a question about the byline that names no article."""
    return bool(_BYLINE_ONLY.match(question.strip()))


# What is left of an author or which-article question once its frame is gone: the topic.
_FRAME = re.compile(
    rf"(?:是|由)?{_WHO}(?:记者|作者|通讯员|撰稿人|执笔人)?{_WROTE}(?:的|了)?|"
    r"(?:的)?是?(?:哪位|哪个|哪些)(?:记者|作者|通讯员)|"
    rf"(?:的)?{_WRITER}(?:是|为|有|叫)?{_NAMED}?|"
    r"(?:的)?是?(?:那|这|哪|一|什么)?[一几]?[篇些]?(?:相关|有关)?的?(?:报道|文章|稿件|新闻|稿子)|"
    r"关于|有关|有没有|有哪些|哪一?篇|哪几篇|哪些|(?:讲|说|写|报道|谈|提)(?:到了?|及了?|了|的是)|"
    r"^(?:讲|说|写(?!字楼)|撰写|采写|报道|谈到|提到)|"
    r"[\s，,。？?！!]"
)


def topic_of(question: str) -> str:
    """"谁写了关于赵云的报道？" → "赵云": the question without its author or which-article frame."""
    return _FRAME.sub("", question).strip("的")


_WHEN = re.compile(
    r"哪一?天|哪日|什么时候|什么时间|何时|几号|几月几[日号]|哪年哪月|哪个月|哪年|日期|时间|"
    r"出版|出刊|发行|印发|发布|刊发|出的|出来|[出发印]"
)


def _only(leftover: str, question_words: re.Pattern[str], required: bool) -> bool:
    """True when nothing but `question_words` (at least one if `required`) and filler remains."""
    rest, found = question_words.subn("", leftover)
    return (found > 0 or not required) and not re.sub(_FILLER, "", rest)


def contents(leftover: str) -> bool:
    """"第831期讲了什么", or the reference alone: the question without its issue or period
    reference asks nothing but what it holds."""
    return _only(leftover, _CONTENTS, required=False)


def date(leftover: str) -> bool:
    """"第831期是哪天出的": the question without its issue reference asks only when."""
    return _only(leftover, _WHEN, required=True)


def author(question: str) -> bool:
    """"铁骑比武的报道是谁写的": the byline of an article about a topic."""
    return bool(_WHO_WROTE.search(question))


def articles(question: str) -> bool:
    """"哪篇报道讲了铁骑比武": the articles about a topic, not a fact."""
    return bool(_WHICH_ARTICLES.search(question))
