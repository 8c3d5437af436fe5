"""Plaintext credentials in build and container configuration (CodeBuild projects, ECS task definitions).

The collectors judge each variable while the value is in memory and store only the verdict; these
checks read the verdicts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from evidence.checks import judged, unknown
from evidence.models import Evidence, Finding
from evidence.registry import check


def _flagged(variables: list[dict[str, Any]], where: str) -> list[str]:
    return [f"{where}{v['name']} ({v.get('reason')})" for v in variables if v.get("credential")]


def _project_problems(project: dict[str, Any]) -> list[str]:
    problems = _flagged((project.get("environment") or {}).get("environmentVariables") or [], "variable ")
    sources = [project.get("source") or {}, *(project.get("secondarySources") or [])]
    problems += [f"source {s.get('sourceIdentifier') or s.get('type')} URL carries credentials"
                 for s in sources if s.get("locationHasCredentials")]
    return problems


@check("secrets.no_plaintext_credentials_in_config", needs=("codebuild.projects", "ecs.task_definitions"),
       severity="high")
def no_plaintext_credentials_in_config(
    projects: tuple[Evidence, ...], task_definitions: tuple[Evidence, ...]
) -> Iterator[Finding]:
    """No CodeBuild project or ECS task definition holds a credential in plaintext.

    Plaintext environment variables and repository URLs are judged; Parameter Store and Secrets
    Manager references are the remedy and always pass.
    """
    for ev in projects:
        for project in ev.data or []:
            problems = _project_problems(project)
            yield judged(ev, project["arn"], not problems,
                         "No plaintext environment variable or source URL holds a credential.",
                         "Plaintext credentials in the project: " + "; ".join(problems) + ".")
    for ev in task_definitions:
        for task in ev.data or []:
            arn = task["taskDefinitionArn"]
            if "task_definition" in task.get("errors", {}):
                yield unknown(ev, arn, f"The task definition could not be read ({task['errors']['task_definition']}).")
                continue
            problems = [p for c in task.get("containerDefinitions", [])
                        for p in _flagged(c.get("environment") or [], f"container {c.get('name')} variable ")]
            yield judged(ev, arn, not problems, "No container environment variable holds a credential in plaintext.",
                         "Plaintext credentials in the task definition: " + "; ".join(problems) + ".")
