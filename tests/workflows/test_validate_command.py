"""`sluice validate`: a verdict per file; the real Logic Apps corpus pinned."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from workflows.validation import validate_definition

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "logicapps"

# Managed (Azure-hosted) connectors and code runners Sluice does not embed. A corpus
# file may fail validation only because of these, and exactly these per file.
UNEMBEDDED = {
    "03-lauxmock-ComplexConditionals.json": {"ApiConnection"},
    "06-lauxmock-MoreComplex.json": {"ApiConnection"},
    "14-lauxmock-Scoped.json": {"ApiConnection"},
    "18-azlogicapps-enricher.json": {"JavaScriptCode"},
    "22-azlogicapps-cancel-runs-by-tracking-id.json": {"ApiConnection"},
    "24-azlogicapps-service-bus-sessions.json": {"ApiConnection"},
    "25-azlogicapps-service-bus-peek-lock-dead-letter.json": {"ApiConnection"},
    "26-azlogicapps-service-bus-peek-lock-complete.json": {"ApiConnection"},
    "28-azlogicapps-RAG-Ingestion-Workflow.json": {
        "openai/getArrayEmbeddings",
        "sql/getRows",
        "azureaisearch/indexDocuments",
    },
    "29-azlogicapps-RAG-Retrieval-Workflow.json": {
        "JavaScriptCode",
        "openai/getSingleEmbedding",
        "openai/getChatCompletions",
        "azureaisearch/vectorSearch",
    },
    "30-azlogicapps-RatingsWorkflow.json": {"ApiConnection"},
    "31-azlogicapps-blob-storage-to-dynamics-365-import.json": {"ApiConnection"},
    "33-logicappunit-built-in-connector-workflow.json": {"sql/executeQuery"},
    "37-logicappunit-invoke-workflow.json": {"azurequeues/putMessage"},
    "32-azlogicapps-rosettanet-encode-response.json": {
        "RosettaNetEncode",
        "RosettaNetWaitForResponse",
    },
}
UNSUPPORTED = re.compile(
    r"^unsupported (?:(?:action|trigger) type|service provider operation) '([^']+)' at "
)


def corpus_files():
    return sorted(CORPUS.glob("*.json"))


def test_the_corpus_is_all_there():
    assert len(corpus_files()) == 38


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_it_validates_each_corpus_file_or_names_only_unembedded_types(path):
    problems = validate_definition(json.loads(path.read_text()))
    unsupported = set()
    for problem in problems:
        match = UNSUPPORTED.match(problem.message)
        assert match, f"{path.name}: unexpected problem {problem}"
        unsupported.add(match.group(1))
    assert unsupported == UNEMBEDDED.get(path.name, set())


def test_it_prints_a_verdict_per_file_and_exits_2_when_any_is_invalid(tmp_path, capsys):
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"triggers": {}, "actions": {}}))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"triggers": {}, "actions": {"X": {"type": "Nope"}}}))
    broken = tmp_path / "broken.json"
    broken.write_text('{"actions": ')
    with pytest.raises(CommandError) as info:
        call_command("validate", str(good), str(bad), str(broken), str(tmp_path / "missing.json"))
    assert info.value.returncode == 2
    out = capsys.readouterr().out
    assert f"{good}: valid" in out
    assert "/actions/X/type: unsupported action type 'Nope' at /actions/X" in out
    assert "invalid JSON at line 1, column 13" in out
    assert "cannot read the file" in out


def test_it_prints_json_verdicts(tmp_path, capsys):
    good = tmp_path / "good.json"
    good.write_text(
        json.dumps({"definition": {"triggers": {}, "actions": {}}, "kind": "Stateless"})
    )
    call_command("validate", "--json", str(good))
    assert json.loads(capsys.readouterr().out) == {str(good): []}
