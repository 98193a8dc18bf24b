"""Telegram adapter for the 公安周刊 question-answering library `rag`.

Run it with ``python -m bot``. `bot.app` wires the Application; `bot.handlers` answers
questions, `bot.admin` serves admins (stats, reindex, uploads, /remove), `bot.access` decides
who may ask, `bot.render` makes every text and keyboard, and `bot.transport` keeps within
Telegram's flood limits and skips updates that cannot be parsed.
"""
