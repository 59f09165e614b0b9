"""Reporters are pure functions from a scan result to text.

The check output: `text`, `json_report`, `sarif`, `github`, each rendering a ScanResult. The readiness report
for reviewers: `readiness_text`, `readiness_markdown`, `readiness_html`, each rendering the one model that
readycheck.readiness builds from a ScanResult (so they agree on every number).
"""
