"""Rule documentation rendered from the rule files: table, JSON, Markdown, explain."""

from __future__ import annotations

import json

from readycheck.catalog import Rule


def catalog_table(rules: list[Rule]) -> str:
    width = max((len(r.name) for r in rules), default=10)
    lines = [f"{'ID':<8} {'NAME':<{width}} {'CHECKLIST':<18} {'SEVERITY':<8} SUMMARY"]
    for r in rules:
        lines.append(f"{r.id:<8} {r.name:<{width}} {r.checklist:<18} {r.severity:<8} {r.summary}")
    lines.append(f"{len(rules)} rules")
    return "\n".join(lines) + "\n"


def catalog_json(rules: list[Rule]) -> str:
    return json.dumps([r.as_dict() for r in rules], indent=2) + "\n"


def rule_markdown(rule: Rule, heading: str = "##") -> str:
    return (
        f"{heading} {rule.id} {rule.name}\n\n"
        f"*{rule.checklist}* · default severity **{rule.severity}** · target `{rule.target}`\n\n"
        f"**What it does.** {rule.summary}\n\n"
        f"**Why it matters.** {rule.why.strip()}\n\n"
        f"**How to fix.** {rule.fix.strip()}\n\n"
        f"Bad:\n\n```\n{rule.examples['bad'].rstrip()}\n```\n\n"
        f"Good:\n\n```\n{rule.examples['good'].rstrip()}\n```\n"
        + (
            "\nOptions: " + ", ".join(f"`{k}` (default `{json.dumps(v)}`)" for k, v in rule.options.items()) + "\n"
            if rule.options
            else ""
        )
    )


def catalog_markdown(rules: list[Rule]) -> str:
    parts = ["# readycheck rules\n", "| id | name | checklist | severity | summary |", "| --- | --- | --- | --- | --- |"]
    parts += [f"| {r.id} | {r.name} | {r.checklist} | {r.severity} | {r.summary} |" for r in rules]
    parts.append("")
    parts += [rule_markdown(r) for r in rules]
    return "\n".join(parts)


def explain_text(rule: Rule) -> str:
    options = "".join(f"  {k}: {json.dumps(v)}\n" for k, v in rule.options.items())
    return (
        f"{rule.id} {rule.name} ({rule.checklist}, {rule.severity})\n\n"
        f"What: {rule.summary}\n\n"
        f"Why: {rule.why.strip()}\n\n"
        f"Fix: {rule.fix.strip()}\n\n"
        f"Bad:\n{_indent(rule.examples['bad'])}\n\n"
        f"Good:\n{_indent(rule.examples['good'])}\n"
        + (f"\nOptions:\n{options}" if options else "")
    )


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.rstrip().splitlines())
