"""Classify: which passages are evidence for which measure, at what stage, with which elements."""
