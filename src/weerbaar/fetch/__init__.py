"""Fetch: public documents from Open Raadsinformatie, OpenBesluitvorming, websites and URL lists.

Fetched files land in the workspace folder (``bronnen/``) and go through the same ingest as any
file, with their metadata (organisation, date, title, source URL, source identifier) filled in.
"""
