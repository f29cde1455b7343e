"""The local web app: review queue, source pages, search, agreement and the verdict dashboard."""
