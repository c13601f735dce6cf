"""Stress runs that hunt intermittent crashes: scripts run by hand, not collected by pytest.

`python -m tests.stress.long_session --leads 20000 --repeat 20` drives the real app on a
real X server; `python -m tests.stress.repeat_ui --runs 20 --busy-half` runs the UI tests
over and over, half of the runs with the cores kept busy. See each module for more.
"""
