"""The peer-suite harnesses read the peers' test files right (inline copies of their forms: no checkout needed)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parent.parent / "bench"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


HASKELL_SPEC = r'''
spec = do
  describe "DL4006 - pipefail" $ do
    it "inline" $ do
      ruleCatches "DL3016" "RUN npm install express"
      onBuildRuleCatches "DL3016" "RUN npm install express"
    it "a string gap and escapes" $ do
      ruleCatchesNot "DL3016" "RUN npm install \
        \express@\"4.1.1\""
    it "a bound list" $
      let dockerFile =
            [ "FROM scratch",
              -- a comment inside the list
              "RUN wget -O - https://some.site | wc -l > /number"
            ]
       in ruleCatches "DL4006" $ Text.unlines dockerFile
'''


def test_hadolint_cases_are_read_from_every_form(tmp_path: Path) -> None:
    hadolint = load("peers_hadolint")
    rules = tmp_path / "test" / "Hadolint" / "Rule"
    rules.mkdir(parents=True)
    (rules / "DL9999Spec.hs").write_text(HASKELL_SPEC)
    cases, unread = hadolint.cases(tmp_path)
    assert unread == []
    assert [(c.check, c.catches, c.text) for c in cases] == [
        ("DL3016", True, "RUN npm install express"),
        ("DL3016", False, 'RUN npm install express@"4.1.1"'),
        ("DL4006", True, "FROM scratch\nRUN wget -O - https://some.site | wc -l > /number\n"),
    ]
    assert hadolint.dockerfile_of("RUN x").startswith("FROM ")
    assert hadolint.dockerfile_of("LABEL a=b\nFROM x").startswith("LABEL")  # the case is about what precedes FROM


BATS = r'''
@test "wildcard-in-rules" {
  tmp="tests/checks/wildcard-in-rules.yml"
  cmd="${KUBE_LINTER_BIN} lint --include wildcard-in-rules --do-not-auto-add-defaults --format json ${tmp}"
  [[ "${message1}" == "Role: wildcard "*" in verb specification" ]]
  [[ "${message2}" == "Job bad-job: Standalone Job does not specify ttlSecondsAfterFinished" ]]
  [[ "${count}" == "2" ]]
}
'''


def test_kube_linter_expectations_are_read_with_unescaped_quotes(tmp_path: Path) -> None:
    kube_linter = load("peers_kube_linter")
    (tmp_path / "e2etests").mkdir()
    (tmp_path / "e2etests" / "bats-tests.sh").write_text(BATS)
    (test,) = kube_linter.expectations(tmp_path)
    assert test.check == "wildcard-in-rules" and test.file == "tests/checks/wildcard-in-rules.yml"
    assert test.reports == [("Role", 'wildcard "*" in verb specification'),
                            ("Job", "Standalone Job does not specify ttlSecondsAfterFinished")]
    kinds = kube_linter.object_kinds("kind: Role\n---\nkind: RoleBinding\n---\nkind: Job\n")
    assert [kube_linter.kind_at(kinds, line) for line in (1, 3, 5)] == ["RBAC", "RBAC", "Job"]
