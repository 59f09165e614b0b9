"""JUnit XML and Checkstyle XML, which CI systems (Jenkins, GitLab, Azure Pipelines, TeamCity) read natively.

Built with ElementTree, which escapes markup; what came from the tree is first made one printable line
(`neutralise.inline`), since XML 1.0 cannot hold most control characters at all.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import groupby

from readycheck import __version__
from readycheck.model import ScanResult
from readycheck.neutralise import inline as one_line
from readycheck.neutralise import no_workflow_commands

CHECKSTYLE_SEVERITY = {"error": "error", "warning": "warning", "note": "info"}
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def inline(text: str) -> str:
    """One printable line that XML 1.0 can hold: control characters shown escaped (neutralise.inline), and what
    XML has no place for (U+FFFE, U+FFFF, a lone surrogate from a name that is not UTF-8) as `\\uXXXX`."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", one_line(text))


def _text(element: ET.Element) -> str:
    ET.indent(element)
    body = ET.tostring(element, encoding="unicode")
    return no_workflow_commands('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n")


def junit(result: ScanResult) -> str:
    """One test suite per checked file with findings or errors, one failing test case per finding; a file that
    could not be checked is a test case in error."""
    suites = ET.Element("testsuites", name="readycheck", tests=str(len(result.findings) + len(result.errors)),
                        failures=str(len(result.findings)), errors=str(len(result.errors)))
    by_path: dict[str, ET.Element] = {}

    def suite(path: str) -> ET.Element:
        if path not in by_path:
            by_path[path] = ET.SubElement(suites, "testsuite", name=inline(path), tests="0", failures="0",
                                          errors="0")
        return by_path[path]

    for finding in result.findings:
        owner = suite(finding.path)
        case = ET.SubElement(owner, "testcase", name=inline(f"{finding.rule} {finding.name}"),
                             classname=inline(finding.path), file=inline(finding.path), line=str(finding.span.line))
        failure = ET.SubElement(case, "failure", type=finding.severity, message=inline(finding.message))
        failure.text = inline(f"{finding.path}:{finding.span.line}:{finding.span.column}: {finding.message}. "
                              f"Fix: {finding.fix}")
        owner.set("tests", str(int(owner.get("tests", "0")) + 1))
        owner.set("failures", str(int(owner.get("failures", "0")) + 1))
    for error in result.errors:
        owner = suite(error.path)
        case = ET.SubElement(owner, "testcase", name="readycheck could not check this file", classname=inline(error.path),
                             file=inline(error.path), line=str(error.line or 1))
        ET.SubElement(case, "error", message=inline(error.message))
        owner.set("tests", str(int(owner.get("tests", "0")) + 1))
        owner.set("errors", str(int(owner.get("errors", "0")) + 1))
    return _text(suites)


def checkstyle(result: ScanResult) -> str:
    """Checkstyle's format: one `file` element per path, one `error` element per finding or unreadable file."""
    root = ET.Element("checkstyle", version=f"readycheck-{__version__}")
    items = [(f.path, f.span.line, f.span.column, CHECKSTYLE_SEVERITY[f.severity], f"{f.rule} {f.name}: {f.message}",
              f"readycheck.{f.rule}") for f in result.findings]
    items += [(e.path, e.line or 1, 1, "error", f"could not be checked: {e.message}", "readycheck.error")
              for e in result.errors]
    items.sort(key=lambda item: (item[0], item[1], item[2]))
    for path, group in groupby(items, key=lambda item: item[0]):
        element = ET.SubElement(root, "file", name=inline(path))
        for _, line, column, severity, message, source in group:
            ET.SubElement(element, "error", line=str(line), column=str(column), severity=severity,
                          message=inline(message), source=source)
    return _text(root)
