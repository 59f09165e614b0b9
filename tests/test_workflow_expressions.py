"""The `${{ }}` parser: references normalised, literals and functions told apart, errors caught."""

from __future__ import annotations

from readycheck.gha_expressions import Reference, find_expressions, is_untrusted, parse_references


def paths(source: str) -> list[str]:
    return [r.path for r in parse_references(source)[0]]


def test_dotted_and_indexed_access_normalise_to_one_path() -> None:
    assert paths("github.event['issue'].title") == ["github.event.issue.title"]
    assert paths("github.event.commits[0].message") == ["github.event.commits.0.message"]
    assert paths("github.event.pages[*].page_name") == ["github.event.pages.*.page_name"]
    assert paths("needs.build.outputs[matrix.key]") == ["needs.build.outputs.*", "matrix.key"]


def test_functions_and_string_literals_are_not_references() -> None:
    refs, functions = parse_references("contains(github.event.pull_request.labels.*.name, 'secrets.X') && true")
    assert [r.path for r in refs] == ["github.event.pull_request.labels.*.name"]
    assert functions == ["contains"]


def test_find_expressions_keeps_offsets_and_skips_braces_in_literals() -> None:
    text = "echo ${{ format('{0}}}', github.head_ref) }} and ${{ secrets.TOKEN }}"
    found = find_expressions(text)
    assert [e.references[0].path for e in found] == ["github.head_ref", "secrets.TOKEN"]
    assert text[found[1].start:found[1].end] == "${{ secrets.TOKEN }}"


def test_malformed_expressions_carry_an_error() -> None:
    assert find_expressions("${{ github.ref == 'x' }")[0].error
    assert find_expressions("${{ fromJSON(x).a[0 }}")[0].error
    assert find_expressions("${{ github.ref }}")[0].error is None


def test_untrusted_inputs() -> None:
    assert is_untrusted(Reference("github.event.issue.title"))
    assert is_untrusted(Reference("github.event.commits.*.author.email"))
    assert is_untrusted(Reference("github.head_ref"))
    assert not is_untrusted(Reference("github.event.issue.number"))
    assert not is_untrusted(Reference("github.sha"))


def test_only_paths_whose_text_reaches_the_value_flow() -> None:
    from readycheck.gha_expressions import value_paths

    assert value_paths("github.event.issue.title == 'x'") == ()
    assert value_paths("contains(github.event.issue.body, 'x') && 'yes' || 'no'") == ()
    assert value_paths("!github.event.issue.title") == ()
    assert value_paths("github.event.issue.title || 'none'") == ("github.event.issue.title",)
    assert value_paths("format('{0}', github.head_ref)") == ("github.head_ref",)
    assert value_paths("(github.event.pull_request || github.event.issue).number") == (
        "github.event.pull_request.number", "github.event.issue.number")


def test_objects_holding_untrusted_text_and_text_below_it_are_untrusted() -> None:
    assert is_untrusted(Reference("github.event"))
    assert is_untrusted(Reference("github.event.pull_request.head"))
    assert is_untrusted(Reference("github.event.issue.body.parsed"))
    assert is_untrusted(Reference("github.EVENT.Issue.Title"))
    assert not is_untrusted(Reference("github.event.pull_request.number"))
    assert not is_untrusted(Reference("github.event.pull_request.head.sha"))
