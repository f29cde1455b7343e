"""Finding passages again: full-text search over the store, and search by meaning over stored embeddings."""
