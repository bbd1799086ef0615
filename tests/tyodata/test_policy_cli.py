"""`tyodata policy show|load|history` on a store and through a running service, and
`tyodata token --person` for a citizen's token."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph
from typer.testing import CliRunner

from core.keys import load_or_create_key
from core.settings import Settings
from graph_service.policy.audit import AuditLog
from graph_service.policy.odrl import DEFAULT_POLICY
from graph_service.policy.tokens import load_or_create_signing_key, verify
from tests.conftest import Loaded
from tests.graph_service.policy.test_policy_matrix import README_TABLE
from tests.service import running_service
from tyodata.cli import app

runner = CliRunner()
DEFAULT = DEFAULT_POLICY.read_text(encoding="utf-8")
CHANGED = DEFAULT.replace("odrl:rightOperand purpose:case-management, purpose:job-matching",
                          "odrl:rightOperand purpose:case-management", 1)


@pytest.fixture
def home(tmp_path: Path, loaded: Loaded) -> Path:
    """A home of its own (audit log, keys) and a copy of the generated store in it."""
    shutil.copytree(loaded.store_path, tmp_path / "store")
    return tmp_path


def run(home: Path, *args: str):
    return runner.invoke(app, list(args), env={"TYODATA_HOME": str(home), "COLUMNS": "200"})


def audit_records(home: Path) -> list[dict]:
    settings = Settings(home=home)
    if not settings.audit_path.exists():
        return []
    key = load_or_create_key(settings.audit_key_path, what="audit key")
    return list(AuditLog(settings.audit_path, key).records())


def test_show_prints_the_matrix_and_the_turtle(home: Path):
    table = run(home, "policy", "show", "--store", str(home / "store"))
    assert table.exit_code == 0, table.output
    assert table.stdout == README_TABLE
    turtle = run(home, "policy", "show", "--format", "turtle", "--store", str(home / "store"))
    assert len(Graph().parse(data=turtle.stdout, format="turtle")) == len(
        Graph().parse(data=DEFAULT, format="turtle"))
    assert run(home, "policy", "show", "--format", "xls").exit_code == 2


def test_load_makes_a_new_version_and_is_audited(home: Path, tmp_path: Path):
    policy = tmp_path / "policy.ttl"
    policy.write_text(CHANGED, encoding="utf-8")
    loaded = run(home, "policy", "load", str(policy), "--store", str(home / "store"))
    assert loaded.exit_code == 0, loaded.output
    assert "policy version 2 is in force" in loaded.stdout
    [record] = [r for r in audit_records(home) if r["action"] == "replace-policy"]
    assert record["decision"] == "permit" and record["statement"] == CHANGED
    table = run(home, "policy", "show", "--store", str(home / "store")).stdout
    assert "| basic | " in table and "for case-management, job-matching" not in table
    history = run(home, "policy", "history", "--store", str(home / "store"))
    assert history.exit_code == 0 and "cli:" in history.stdout


def test_a_refused_load_lists_the_violations_and_changes_nothing(home: Path, tmp_path: Path):
    policy = tmp_path / "bad.ttl"
    policy.write_text(DEFAULT.replace("odrl:target section:basic ;",
                                      "odrl:target section:salary ;", 1), encoding="utf-8")
    refused = run(home, "policy", "load", str(policy), "--store", str(home / "store"))
    assert refused.exit_code == 2
    assert "policy refused, nothing changed" in refused.output
    assert "https://tyodata.fi/policy/situation/basic-kela " \
           "http://www.w3.org/ns/odrl/2/target" in refused.output
    assert run(home, "policy", "show", "--store", str(home / "store")).stdout == README_TABLE
    [record] = [r for r in audit_records(home) if r["action"] == "replace-policy"]
    assert record["decision"] == "deny"


def test_load_through_a_running_service(loaded: Loaded, tmp_path: Path):
    policy = tmp_path / "policy.ttl"
    policy.write_text(CHANGED, encoding="utf-8")
    with running_service(loaded, tmp_path / "svc") as service:
        env = {"TYODATA_HOME": str(service.home), "COLUMNS": "200"}
        shown = runner.invoke(app, ["policy", "show", "--endpoint", service.base,
                                    "--endpoint-token", service.tokens["developer"]], env=env)
        assert shown.exit_code == 0 and shown.stdout == README_TABLE, shown.output
        refused = runner.invoke(app, ["policy", "load", str(policy), "--endpoint",
                                      service.base + "/admin", "--endpoint-token",
                                      service.tokens["case_worker"]], env=env)
        assert refused.exit_code == 2 and "403" in refused.output
        done = runner.invoke(app, ["policy", "load", str(policy), "--endpoint", service.base,
                                   "--endpoint-token", service.tokens["steward"]], env=env)
        assert done.exit_code == 0 and "policy version 2 is in force" in done.stdout
        after = runner.invoke(app, ["policy", "show", "--endpoint", service.base,
                                    "--endpoint-token", service.tokens["developer"]], env=env)
        assert "for case-management, job-matching" not in after.stdout


def test_a_citizen_token_is_bound_to_a_person(home: Path):
    person = "https://tyodata.fi/id/person/" + "c" * 26
    made = run(home, "token", "--sub", "maija", "--org", "citizen", "--role", "citizen",
               "--person", "c" * 26)
    assert made.exit_code == 0, made.output
    key = load_or_create_signing_key(Settings(home=home).signing_key_path)
    assert verify(key, made.stdout.strip()).person == person
    unbound = run(home, "token", "--sub", "maija", "--org", "citizen", "--role", "citizen")
    assert unbound.exit_code == 2 and "bound to a person" in unbound.output
    not_an_id = run(home, "token", "--sub", "m", "--org", "citizen", "--role", "citizen",
                    "--person", "131052-308T")
    assert not_an_id.exit_code == 2 and "131052" not in not_an_id.output
    worker = run(home, "token", "--sub", "w", "--org", "kela", "--role", "case_worker",
                 "--person", "c" * 26)
    assert worker.exit_code == 2
