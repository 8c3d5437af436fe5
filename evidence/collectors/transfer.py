"""AWS Transfer Family: every server with the protocols its endpoint accepts."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from evidence.aws import error_code
from evidence.collect import CollectContext, paginate
from evidence.registry import collector


def _described(ctx: CollectContext, server: dict[str, Any]) -> dict[str, Any]:
    try:
        return {**ctx.client("transfer").describe_server(ServerId=server["ServerId"])["Server"], "errors": {}}
    except ClientError as exc:
        return {**server, "errors": {"DescribeServer": error_code(exc)}}


@collector("transfer.servers", service="transfer", actions=("transfer:ListServers", "transfer:DescribeServer"))
def servers(ctx: CollectContext) -> Any:
    """Transfer Family servers, described (protocols, endpoint type, identity provider)."""
    listed = paginate(ctx.client("transfer"), "list_servers", "Servers")
    return ctx.map(lambda s: _described(ctx, s), listed)
