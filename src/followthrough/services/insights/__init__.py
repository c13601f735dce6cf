"""The feedback loop's reports: plain read models over SQL aggregates, one module each.

Every report takes the database, a `Period` and the reader's zone, and returns a `ReportView`
(domain/reportview.py) that the Insights window, the `report` command and the weekly HTML
render alike. `catalog.py` lists them.
"""
