"""AWS Lambda: functions with their resource policies and function URLs.

ListFunctions returns environment variable values, which often hold secrets: only the variable
names are kept. GetFunction and GetFunctionConfiguration are never called (the client factory
refuses them), since they return the same values.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from evidence.aws import error_code
from evidence.collect import CollectContext, paginate
from evidence.registry import collector


def without_variable_values(function: dict[str, Any]) -> dict[str, Any]:
    """The function as listed, with its environment reduced to variable names (and any error)."""
    env = function.get("Environment")
    if env is None:
        return dict(function)
    safe: dict[str, Any] = {"VariableNames": sorted((env.get("Variables") or {}).keys())}
    if "Error" in env:
        safe["Error"] = env["Error"]
    return {**function, "Environment": safe}


def _details(ctx: CollectContext, function: dict[str, Any]) -> dict[str, Any]:
    client = ctx.client("lambda")
    function = {**function, "errors": {}}
    try:
        function["Policy"] = client.get_policy(FunctionName=function["FunctionArn"])["Policy"]
    except ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            function["Policy"] = None
        else:
            function["errors"]["Policy"] = error_code(exc)
    try:
        function["FunctionUrlConfigs"] = paginate(client, "list_function_url_configs", "FunctionUrlConfigs",
                                                  FunctionName=function["FunctionArn"])
    except ClientError as exc:
        function["errors"]["FunctionUrlConfigs"] = error_code(exc)
    return function


@collector(
    "lambda.functions",
    service="lambda",
    actions=("lambda:ListFunctions", "lambda:GetPolicy", "lambda:ListFunctionUrlConfigs"),
)
def functions(ctx: CollectContext) -> Any:
    """Functions (environment variable names only) with their resource policy and function URLs."""
    listed = [without_variable_values(f) for f in paginate(ctx.client("lambda"), "list_functions", "Functions")]
    return ctx.map(lambda f: _details(ctx, f), listed)
