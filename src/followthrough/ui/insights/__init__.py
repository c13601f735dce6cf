"""The Insights window: one page per report, its figures, chart and tables."""
