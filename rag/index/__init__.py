"""Building and storing the index: embeddings in FAISS, BM25 over jieba tokens, metadata."""
