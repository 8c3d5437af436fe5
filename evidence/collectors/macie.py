"""Amazon Macie: whether it is enabled, and automated sensitive-data discovery, per region."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from evidence.aws import error_code
from evidence.collect import CollectContext
from evidence.registry import collector


def _not_enabled(exc: ClientError) -> bool:
    """AWS answers AccessDeniedException "Macie is not enabled." where Macie is off."""
    message = str(exc.response.get("Error", {}).get("Message", ""))
    return error_code(exc) == "AccessDeniedException" and "not enabled" in message.lower()


@collector(
    "macie.status",
    service="macie2",
    actions=("macie2:GetMacieSession", "macie2:GetAutomatedDiscoveryConfiguration"),
)
def status(ctx: CollectContext) -> Any:
    """The Macie session of the region (null when Macie is not enabled) and its automated discovery."""
    client = ctx.client("macie2")
    try:
        session = client.get_macie_session()
    except ClientError as exc:
        if _not_enabled(exc):
            return {"session": None, "automated_discovery": None, "errors": {}}
        raise
    session.pop("ResponseMetadata", None)
    out: dict[str, Any] = {"session": session, "automated_discovery": None, "errors": {}}
    try:
        discovery = client.get_automated_discovery_configuration()
    except ClientError as exc:
        out["errors"]["GetAutomatedDiscoveryConfiguration"] = error_code(exc)
        return out
    discovery.pop("ResponseMetadata", None)
    out["automated_discovery"] = discovery
    return out
