"""Turning passages into an answer with citations: extractive, catalog, or LLM-worded."""
