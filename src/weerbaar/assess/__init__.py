"""From validated evidence to verdicts: levels per cell, key gaps, timelines, aggregation, summaries."""
