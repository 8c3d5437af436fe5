"""ECS: every active task definition revision, with credential verdicts instead of environment values.

Each container's environment variables are kept as name and verdict only; secrets are kept as
their references (valueFrom), which are not secret. Log driver options (which can hold tokens)
and other free-form fields are not kept.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from evidence.aws import error_code
from evidence.collect import CollectContext, paginate
from evidence.collectors._credentials import variable_verdict
from evidence.registry import collector

TASK_FIELDS = ("taskDefinitionArn", "family", "revision", "status", "networkMode", "pidMode", "ipcMode",
               "requiresCompatibilities", "taskRoleArn", "executionRoleArn", "registeredAt")
CONTAINER_FIELDS = ("name", "image", "essential", "privileged", "readonlyRootFilesystem", "user")


def _container(container: dict[str, Any]) -> dict[str, Any]:
    log = container.get("logConfiguration") or {}
    return {
        **{f: container[f] for f in CONTAINER_FIELDS if f in container},
        "environment": [variable_verdict(v["name"], v.get("value")) for v in container.get("environment") or []],
        "secrets": [{"name": s["name"], "valueFrom": s.get("valueFrom")} for s in container.get("secrets") or []],
        "logDriver": log.get("logDriver"),
    }


def stored_task_definition(task: dict[str, Any]) -> dict[str, Any]:
    """The part of a task definition the pack keeps: configuration and verdicts, no secret values."""
    return {
        **{f: task[f] for f in TASK_FIELDS if f in task},
        "containerDefinitions": [_container(c) for c in task.get("containerDefinitions") or []],
    }


@collector("ecs.task_definitions", service="ecs",
           actions=("ecs:ListTaskDefinitions", "ecs:DescribeTaskDefinition"))
def task_definitions(ctx: CollectContext) -> Any:
    """Every ACTIVE task definition revision of the region, its containers and variable verdicts."""
    client = ctx.client("ecs")
    arns = paginate(client, "list_task_definitions", "taskDefinitionArns", status="ACTIVE")

    def describe(arn: str) -> dict[str, Any]:
        try:
            task = client.describe_task_definition(taskDefinition=arn)["taskDefinition"]
        except ClientError as exc:
            return {"taskDefinitionArn": arn, "errors": {"task_definition": error_code(exc)}}
        return {**stored_task_definition(task), "errors": {}}

    return ctx.map(describe, arns)
