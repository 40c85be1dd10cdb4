"""Statistics: call records turned into KPIs, trends, per-agent and on-call reports.

Every figure over calls is computed by the database (GROUP BY, window and
percentile functions); Python only folds the few rows that come back. The
functions take a session and a `Period` (local days in a time zone) and
raise `StatsInputError` with a readable message on bad input. Entry points:

- periods.parse_period / Period: the period picker (today, 7d, 30d, month, custom)
- dashboard.dashboard: summary + daily trend + heatmap + per-agent table
  (or kpis.summary, trend.daily_trend, heatmap.weekly_heatmap, agents.agent_table)
- calls.list_calls / iter_calls / count_calls with CallFilters; timeline.call_timeline
- astreinte.astreinte_report: the monthly on-call report
- exports.calls_csv / agents_csv / astreinte_csv: CSV in the reader's locale
- sample.generate_sample: synthetic calls (`hotline stats sample`)
"""
