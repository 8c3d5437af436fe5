"""SageMaker checks: notebooks with direct internet access or outside a VPC fail."""

from __future__ import annotations

from typing import Any

from helpers import run, snapshot, verdicts


def notebook(name: str, **extra: Any) -> dict[str, Any]:
    return {"NotebookInstanceArn": f"arn:nb/{name}", "NotebookInstanceName": name, "errors": {}, **extra}


def test_notebook_no_direct_internet() -> None:
    result = run("sagemaker.notebook_no_direct_internet", [snapshot("sagemaker.notebook_instances", [
        notebook("private", DirectInternetAccess="Disabled", SubnetId="subnet-1"),
        notebook("direct", DirectInternetAccess="Enabled", SubnetId="subnet-1"),
        notebook("no-vpc", DirectInternetAccess="Disabled"),
        notebook("unread", errors={"DescribeNotebookInstance": "AccessDeniedException"}),
    ], region="us-east-1")])
    assert verdicts(result) == {"arn:nb/private": "pass", "arn:nb/direct": "fail", "arn:nb/no-vpc": "fail",
                                "arn:nb/unread": "not_evaluated"}
