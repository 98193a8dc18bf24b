"""Messages that are no question about the paper: a greeting, thanks, "你是谁 / 你能做什么".

A chat bot gets them every day. Searching the paper for "谢谢" returns some sentence that
thanks somebody; these get a short reply that says what the bot does instead.
"""

from __future__ import annotations

import re

from rag.text import GREETINGS

_END = r"[\s,，。.!！?？~～啊呀呢吧哈]*"
_GREETING = re.compile(rf"^(?:{GREETINGS}|在吗|在不在|早上好|上午好|下午好|晚上好|早安){_END}$",
                       re.IGNORECASE)
_THANKS = re.compile(rf"^(?:谢谢|多谢|感谢|谢了|辛苦了|好的|收到|明白了|知道了|ok|okay|thanks|thank you)"
                     rf"(?:你|您)?(?:了|啦)?{_END}$", re.IGNORECASE)
_ABOUT = re.compile(rf"^(?:你是谁|你叫什么|你是什么|你能做什么|你会什么|你能干什么|你可以做什么|你有什么用"
                    rf"|怎么用|如何使用|怎么提问|帮助|help)(?:名字)?{_END}$", re.IGNORECASE)

WHAT_I_DO = ("您好！我可以回答公安周刊报道中的问题，并注明出自哪一期、哪篇文章。"
             "可以直接问报道里的人和事（谁、何时、在哪里、多少、为什么），"
             "也可以问“最新一期有哪些文章？”“第N期是哪天出版的？”。")
YOU_ARE_WELCOME = "不客气！还有问题可以直接问我。"
NOTED = "好的！还有问题可以直接问我。"
_NOTED = re.compile(r"^(?:好的|好|收到|明白了|知道了|ok|okay)")


def smalltalk_reply(message: str) -> str | None:
    """The reply to a greeting, thanks or a question about the bot itself; None otherwise."""
    text = message.strip()
    if _THANKS.match(text):
        return NOTED if _NOTED.match(text.lower()) else YOU_ARE_WELCOME
    if _GREETING.match(text) or _ABOUT.match(text):
        return WHAT_I_DO
    return None
