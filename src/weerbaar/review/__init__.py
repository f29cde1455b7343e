"""Review: reviewers' decisions on suggested evidence (the web app of issue #4 will sit on top)."""
