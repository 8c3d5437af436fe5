"""Amazon SageMaker: every notebook instance with its network settings."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from evidence.aws import error_code
from evidence.collect import CollectContext, paginate
from evidence.registry import collector


def _described(ctx: CollectContext, notebook: dict[str, Any]) -> dict[str, Any]:
    try:
        resp = ctx.client("sagemaker").describe_notebook_instance(NotebookInstanceName=notebook["NotebookInstanceName"])
    except ClientError as exc:
        return {**notebook, "errors": {"DescribeNotebookInstance": error_code(exc)}}
    resp.pop("ResponseMetadata", None)
    return {**resp, "errors": {}}


@collector(
    "sagemaker.notebook_instances",
    service="sagemaker",
    actions=("sagemaker:ListNotebookInstances", "sagemaker:DescribeNotebookInstance"),
)
def notebook_instances(ctx: CollectContext) -> Any:
    """Notebook instances, described (direct internet access, subnet, root access, encryption key)."""
    listed = paginate(ctx.client("sagemaker"), "list_notebook_instances", "NotebookInstances")
    return ctx.map(lambda n: _described(ctx, n), listed)
