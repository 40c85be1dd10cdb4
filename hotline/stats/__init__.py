"""Statistics: call records turned into KPIs, trends, per-agent and on-call reports.

Every figure is computed by the database (GROUP BY, window and percentile
functions); Python only shapes the few rows that come back. The functions take
a session and a `Period` and are shared by the web pages, the CLI and the CSV
exports.
"""
