"""The Insights faces on the window's side: the reports' pages and their export to PDF.

Every figure comes from services/insights (one service computes what the window, the CLI and
the weekly HTML show); this package only draws it, or prints the review page to a file.
"""
