"""How CloudTrail names digest and log files in S3, and which digests belong to a period.

Digest key (``[...]`` optional; org trails insert the organization id)::

    [<prefix>/]AWSLogs/[<org-id>/]<acct>/CloudTrail-Digest/<src>/<YYYY>/<MM>/<DD>/
        <acct>_CloudTrail-Digest_<src>_<trail>_<home>_<YYYYMMDDTHHMMSSZ>[_backfill].json.gz

The timestamp is the digest's end time. Log key::

    [<prefix>/]AWSLogs/[<org-id>/]<acct>/CloudTrail/<src>/<YYYY>/<MM>/<DD>/
        <acct>_CloudTrail_<src>_<YYYYMMDDTHHMMZ>_<unique>.json.gz

:func:`list_digest_keys` selects a period's digests the way ``aws cloudtrail validate-logs``
does: one listing of the source region's digest folder starting after the key the trail would
have had one minute before the period start, keeping timestamps from the start to one hour
after the end (digests are delivered after the hour they cover), split into standard and
backfill digests, oldest first. Keys that do not follow the layout exactly are not this
trail's digests and are ignored.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from pydantic import AwareDatetime, BaseModel, ConfigDict

from evidence.integrity.models import TimeRange, TrailScope

if TYPE_CHECKING:
    from evidence.integrity.store import ObjectStore

DIGEST_TIME_FORMAT = "%Y%m%dT%H%M%SZ"
LOG_TIME_FORMAT = "%Y%m%dT%H%MZ"
_LISTING_MARGIN_BEFORE = timedelta(minutes=1)
_LISTING_MARGIN_AFTER = timedelta(hours=1)


class DigestKey(BaseModel):
    """A digest object key of the scope's trail, with what its name says."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    end: AwareDatetime  # the timestamp in the name: the digest's end time
    backfill: bool


def _account_root(scope: TrailScope) -> str:
    org = f"{scope.organization_id}/" if scope.organization_id else ""
    root = f"AWSLogs/{org}{scope.account_id}"
    return f"{scope.prefix}/{root}" if scope.prefix else root


def digest_folder(scope: TrailScope) -> str:
    """The listing prefix of the scope's source-region digests."""
    return f"{_account_root(scope)}/CloudTrail-Digest/{scope.source_region}"


def digest_key(scope: TrailScope, end: datetime, *, backfill: bool = False) -> str:
    """The key CloudTrail gives the digest of ``scope`` that ends at ``end``."""
    end = end.astimezone(UTC)
    name = (
        f"{scope.account_id}_CloudTrail-Digest_{scope.source_region}_{scope.trail_name}_"
        f"{scope.home_region}_{end.strftime(DIGEST_TIME_FORMAT)}"
    )
    suffix = "_backfill.json.gz" if backfill else ".json.gz"
    return f"{digest_folder(scope)}/{end.strftime('%Y/%m/%d')}/{name}{suffix}"


def log_key(scope: TrailScope, delivered: datetime, unique: str) -> str:
    """The key CloudTrail gives a log file of ``scope`` delivered at ``delivered``."""
    delivered = delivered.astimezone(UTC)
    name = f"{scope.account_id}_CloudTrail_{scope.source_region}_{delivered.strftime(LOG_TIME_FORMAT)}"
    folder = f"{_account_root(scope)}/CloudTrail/{scope.source_region}/{delivered.strftime('%Y/%m/%d')}"
    return f"{folder}/{name}_{unique}.json.gz"


@lru_cache(maxsize=64)
def _digest_pattern(scope: TrailScope) -> re.Pattern[str]:
    name = "_".join(
        re.escape(part) for part in (scope.account_id, "CloudTrail-Digest", scope.source_region, scope.trail_name)
    )
    return re.compile(
        rf"^{re.escape(digest_folder(scope))}/\d+/\d+/\d+/{name}_{re.escape(scope.home_region)}"
        r"_(?P<time>\d{8}T\d{6}Z)(?P<backfill>_backfill)?\.json\.gz$"
    )


def parse_digest_key(scope: TrailScope, key: str) -> DigestKey | None:
    """What ``key`` says if it is a digest key of the scope's trail, else None."""
    match = _digest_pattern(scope).match(key)
    if match is None:
        return None
    try:
        end = datetime.strptime(match["time"], DIGEST_TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
    return DigestKey(key=key, end=end, backfill=match["backfill"] is not None)


def list_digest_keys(
    store: ObjectStore, scope: TrailScope, bucket: str, period: TimeRange
) -> tuple[list[DigestKey], list[DigestKey]]:
    """The (standard, backfill) digests of ``scope`` in ``bucket`` for ``period``, oldest first."""
    first = period.start.replace(microsecond=0)
    last = (period.end + _LISTING_MARGIN_AFTER).replace(microsecond=0)
    standard: list[DigestKey] = []
    backfill: list[DigestKey] = []
    start_after = digest_key(scope, first - _LISTING_MARGIN_BEFORE)
    for key in store.list_keys(bucket, digest_folder(scope), start_after):
        parsed = parse_digest_key(scope, key)
        if parsed is None:
            continue
        if parsed.end > last:
            break
        if parsed.end >= first:
            (backfill if parsed.backfill else standard).append(parsed)
    return standard, backfill
