"""Ingest: files → documents with metadata → page text → passages, stored in the workspace."""
