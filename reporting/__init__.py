"""Quarterly assessment report (HTML, xlsx focus lists) and the published analyst snapshot."""
