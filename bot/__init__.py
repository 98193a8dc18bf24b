"""Telegram adapter for the 公安周刊 question-answering library `rag`.

Run it with ``python -m bot``; see `bot.app` for the handlers and `bot.render` for the text.
"""
