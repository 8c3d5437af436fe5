"""CodeBuild: every project's build environment and sources, with credential verdicts instead of values.

Environment variable values and repository credentials never reach the snapshot: each variable is
kept as its name, type and whether its plaintext value looks like a credential; source locations
lose their user information. Only the fields listed here are kept (an inline buildspec is not).
"""

from __future__ import annotations

from typing import Any

from evidence.collect import CollectContext, paginate
from evidence.collectors._credentials import redacted_location, variable_verdict
from evidence.registry import collector

BATCH = 100  # BatchGetProjects takes at most 100 names
PROJECT_FIELDS = ("name", "arn", "serviceRole", "encryptionKey", "logsConfig", "projectVisibility", "created",
                  "lastModified")
ENVIRONMENT_FIELDS = ("type", "image", "computeType", "privilegedMode", "imagePullCredentialsType")


def _source(source: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {"type": source.get("type"), "sourceIdentifier": source.get("sourceIdentifier")}
    if source.get("location"):
        kept["location"], kept["locationHasCredentials"] = redacted_location(str(source["location"]))
    return kept


def stored_project(project: dict[str, Any]) -> dict[str, Any]:
    """The part of a project the pack keeps: configuration and verdicts, no secret values."""
    environment = project.get("environment") or {}
    return {
        **{f: project[f] for f in PROJECT_FIELDS if f in project},
        "source": _source(project.get("source") or {}),
        "secondarySources": [_source(s) for s in project.get("secondarySources") or []],
        "environment": {
            **{f: environment[f] for f in ENVIRONMENT_FIELDS if f in environment},
            "environmentVariables": [
                variable_verdict(v["name"], v.get("value"), v.get("type", "PLAINTEXT"))
                for v in environment.get("environmentVariables") or []
            ],
        },
    }


@collector("codebuild.projects", service="codebuild", actions=("codebuild:ListProjects", "codebuild:BatchGetProjects"))
def projects(ctx: CollectContext) -> Any:
    """Every CodeBuild project of the region: sources, build environment and variable verdicts."""
    client = ctx.client("codebuild")
    names = paginate(client, "list_projects", "projects")
    batches = [names[i : i + BATCH] for i in range(0, len(names), BATCH)]
    found = ctx.map(lambda batch: client.batch_get_projects(names=batch)["projects"], batches)
    return [stored_project(p) for batch in found for p in batch]
