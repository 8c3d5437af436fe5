"""Plaintext credentials in CodeBuild and ECS configuration: the collectors' verdicts, then the check."""

from __future__ import annotations

import json

import pytest
from helpers import run, snapshot, verdicts

from evidence.collectors._credentials import credential_reason, redacted_location
from evidence.collectors.codebuild import stored_project
from evidence.collectors.ecs import stored_task_definition

GITHUB_TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
PASSWORD = "correct-horse-battery-staple"


def project(name: str, variables: list[dict[str, str]], location: str = "https://github.com/example/app.git") -> dict:
    return {"name": name, "arn": f"arn:aws:codebuild:eu-west-1:111122223333:project/{name}",
            "source": {"type": "GITHUB", "location": location, "buildspec": f"env: {PASSWORD}"},
            "environment": {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                            "environmentVariables": variables}}


def task(family: str, environment: list[dict[str, str]]) -> dict:
    return {"taskDefinitionArn": f"arn:aws:ecs:eu-west-1:111122223333:task-definition/{family}:1", "family": family,
            "containerDefinitions": [{"name": "app", "image": "nginx", "environment": environment,
                                      "secrets": [{"name": "DB", "valueFrom": "arn:aws:ssm:eu-west-1:1:parameter/db"}],
                                      "logConfiguration": {"logDriver": "splunk", "options": {"splunk-token": PASSWORD}}}]}


@pytest.mark.parametrize(("name", "value", "flagged"), [
    ("DB_PASSWORD", PASSWORD, True), ("DB_PASSWORD", "/prod/db/password", False), ("DB_PASSWORD_PARAM", "x", False),
    ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE", True), ("LOG_LEVEL", "debug", False), ("apiKey", "k-123", True),
    ("AUTHOR", "alice", False), ("CONFIG", GITHUB_TOKEN, True), ("DATABASE_URL", f"postgres://app:{PASSWORD}@db/app", True),
    ("SECRET_NAME", "prod/db", False), ("FEATURE_TOKEN_ENABLED", "true", False),
])
def test_credential_reason(name: str, value: str, flagged: bool) -> None:
    reason = credential_reason(name, value)
    assert (reason is not None) is flagged
    assert reason is None or value not in reason


def test_locations_lose_their_credentials() -> None:
    assert redacted_location(f"https://user:{GITHUB_TOKEN}@github.com/o/r.git") == ("https://github.com/o/r.git", True)
    assert redacted_location("https://github.com/o/r.git") == ("https://github.com/o/r.git", False)
    assert redacted_location(f"https://github.com/o/r?token={GITHUB_TOKEN}")[1] is True
    assert GITHUB_TOKEN not in redacted_location(f"https://github.com/o/r?token={GITHUB_TOKEN}")[0]


def test_stored_forms_hold_no_values() -> None:
    stored = [
        stored_project(project("leaky", [{"name": "DB_PASSWORD", "value": PASSWORD, "type": "PLAINTEXT"}],
                               location=f"https://user:{GITHUB_TOKEN}@github.com/o/r.git")),
        stored_task_definition(task("web", [{"name": "API_KEY", "value": PASSWORD}])),
    ]
    text = json.dumps(stored)
    assert PASSWORD not in text and GITHUB_TOKEN not in text
    assert stored[0]["environment"]["environmentVariables"][0]["credential"] is True
    assert stored[1]["containerDefinitions"][0]["environment"][0] == {
        "name": "API_KEY", "type": "PLAINTEXT", "credential": True,
        "reason": "the name says it holds a credential and the value is not a reference"}


def test_no_plaintext_credentials_in_config() -> None:
    projects = [
        stored_project(project("clean", [{"name": "DB_PASSWORD", "value": "/ci/db-password", "type": "PARAMETER_STORE"},
                                         {"name": "STAGE", "value": "prod", "type": "PLAINTEXT"}])),
        stored_project(project("leaky", [{"name": "DB_PASSWORD", "value": PASSWORD, "type": "PLAINTEXT"}])),
        stored_project(project("token-url", [], location=f"https://{GITHUB_TOKEN}@github.com/o/r.git")),
    ]
    tasks = [stored_task_definition(task("web", [{"name": "PORT", "value": "8080"}])),
             stored_task_definition(task("worker", [{"name": "AWS_SECRET_ACCESS_KEY", "value": PASSWORD}])),
             {"taskDefinitionArn": "td:hidden", "errors": {"task_definition": "AccessDeniedException"}}]
    result = run("secrets.no_plaintext_credentials_in_config", [
        snapshot("codebuild.projects", projects, region="eu-west-1"),
        snapshot("ecs.task_definitions", [{**t, "errors": t.get("errors", {})} for t in tasks], region="eu-west-1"),
    ])
    prefix = "arn:aws:codebuild:eu-west-1:111122223333:project/"
    td = "arn:aws:ecs:eu-west-1:111122223333:task-definition/"
    assert verdicts(result) == {prefix + "clean": "pass", prefix + "leaky": "fail", prefix + "token-url": "fail",
                                td + "web:1": "pass", td + "worker:1": "fail", "td:hidden": "not_evaluated"}
    reasons = {f.resource: f.reason for f in result.findings}
    assert "variable DB_PASSWORD" in reasons[prefix + "leaky"]
    assert "URL carries credentials" in reasons[prefix + "token-url"]
    assert "container app variable AWS_SECRET_ACCESS_KEY" in reasons[td + "worker:1"]
