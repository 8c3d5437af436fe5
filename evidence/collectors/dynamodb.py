"""DynamoDB: every table with its encryption, point-in-time recovery and tags; DAX clusters."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from evidence.aws import error_code
from evidence.collect import CollectContext, declare, paginate
from evidence.registry import collector


def _table(ctx: CollectContext, name: str) -> dict[str, Any]:
    ddb = ctx.client("dynamodb")
    table: dict[str, Any] = {"TableName": name, "errors": {}}
    try:
        table.update(ddb.describe_table(TableName=name)["Table"])
    except ClientError as exc:
        table["errors"]["table"] = error_code(exc)
        return table
    try:
        table["ContinuousBackups"] = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    except ClientError as exc:
        table["errors"]["continuous_backups"] = error_code(exc)
    try:
        table["Tags"] = paginate(ddb, "list_tags_of_resource", "Tags", ResourceArn=table["TableArn"])
    except ClientError as exc:
        table["errors"]["tags"] = error_code(exc)
    return table


@collector(
    "dynamodb.tables",
    service="dynamodb",
    actions=(
        "dynamodb:ListTables",
        "dynamodb:DescribeTable",
        "dynamodb:DescribeContinuousBackups",
        "dynamodb:ListTagsOfResource",
    ),
)
def tables(ctx: CollectContext) -> Any:
    """Every table of the region with its description, continuous backups and tags."""
    names = paginate(ctx.client("dynamodb"), "list_tables", "TableNames")
    return ctx.map(lambda n: _table(ctx, n), names)


declare("dynamodb.dax_clusters", service="dax", operation="DescribeClusters", result_key="Clusters")
