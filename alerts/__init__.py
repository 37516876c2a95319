"""Alerts: the monthly supervision bulletin, early warnings and their delivery (issue 4)."""
