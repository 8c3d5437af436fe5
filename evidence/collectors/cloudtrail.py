"""CloudTrail: every trail seen from the regions in scope, with its status and event selectors."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from evidence.aws import error_code
from evidence.collect import CollectContext
from evidence.registry import Scope, collector


def _details(ctx: CollectContext, trail: dict[str, Any]) -> dict[str, Any]:
    client = ctx.client("cloudtrail", trail.get("HomeRegion") or ctx.region)
    trail = {**trail, "errors": {}}
    try:
        status = client.get_trail_status(Name=trail["TrailARN"])
        status.pop("ResponseMetadata", None)
        trail["Status"] = status
    except ClientError as exc:
        trail["errors"]["GetTrailStatus"] = error_code(exc)
    try:
        selectors = client.get_event_selectors(TrailName=trail["TrailARN"])
        trail["EventSelectors"] = selectors.get("EventSelectors", [])
        trail["AdvancedEventSelectors"] = selectors.get("AdvancedEventSelectors", [])
    except ClientError as exc:
        trail["errors"]["GetEventSelectors"] = error_code(exc)
    return trail


def describe_trails(ctx: CollectContext, region: str) -> list[dict[str, Any]]:
    """The trails one region lists (shadow copies included); cloudtrail.integrity reads the same answer."""
    client = ctx.client("cloudtrail", region)
    return ctx.shared("cloudtrail:DescribeTrails", region,
                      lambda: list(client.describe_trails(includeShadowTrails=True)["trailList"]))


@collector(
    "cloudtrail.trails",
    service="cloudtrail",
    actions=("cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors"),
    scope=Scope.GLOBAL,
)
def trails(ctx: CollectContext) -> Any:
    """Trails visible in each region in scope (shadow copies of multi-region trails included)."""
    found: dict[str, dict[str, Any]] = {}
    seen_in: dict[str, list[str]] = {}
    region_errors: dict[str, str] = {}
    for region in ctx.regions or (ctx.region,):
        try:
            listed = describe_trails(ctx, region)
        except ClientError as exc:
            region_errors[region] = error_code(exc)
            continue
        seen_in[region] = sorted(t["TrailARN"] for t in listed)
        for t in listed:
            found.setdefault(t["TrailARN"], t)
    if region_errors and not seen_in:
        raise _all_refused(region_errors)
    detailed = ctx.map(lambda t: _details(ctx, t), [found[k] for k in sorted(found)])
    return {"trails": detailed, "regions": seen_in, "region_errors": region_errors}


def _all_refused(region_errors: dict[str, str]) -> ClientError:
    """Every region refused: the snapshot is a gap, with the first region's error."""
    region, code = sorted(region_errors.items())[0]
    return ClientError({"Error": {"Code": code, "Message": f"DescribeTrails refused in {region}"}}, "DescribeTrails")
