"""Finding passages: issue and date references, follow-up rewriting, hybrid retrieval."""
