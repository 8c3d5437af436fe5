"""Our validator as a process of its own, with the inputs of ``aws cloudtrail validate-logs``.

Validates one trail over a period against S3 (``S3Store``) with keys from ``ListPublicKeys``
(``CloudTrailKeys``), prints one JSON line (counts and the objects that are not valid) and exits
0 when everything is valid, 1 otherwise. Credentials come from the environment, as for the CLI.
``bench/cloudtrail/run.py`` times it against ``aws cloudtrail validate-logs``.

    .venv/bin/python bench/cloudtrail/ours.py --endpoint-url URL --region eu-west-1 \\
        --trail-arn ARN --s3-bucket BUCKET --start-time 2024-03-01T00:07:11Z --end-time ... [--workers 16]
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime

import boto3
from botocore.config import Config

from evidence.integrity.keys import CloudTrailKeys
from evidence.integrity.models import TimeRange, TrailScope
from evidence.integrity.store import S3Store
from evidence.integrity.validate import validate_trail


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint-url", required=True)
    parser.add_argument("--region", required=True, help="the trail's source region")
    parser.add_argument("--trail-arn", required=True)
    parser.add_argument("--s3-bucket", required=True)
    parser.add_argument("--start-time", required=True, type=datetime.fromisoformat)
    parser.add_argument("--end-time", required=True, type=datetime.fromisoformat)
    parser.add_argument("--workers", type=int, default=16)
    args = parser.parse_args()

    config = Config(max_pool_connections=args.workers, retries={"mode": "standard"})
    session = boto3.Session(region_name=args.region)
    s3 = session.client("s3", endpoint_url=args.endpoint_url, config=config)
    cloudtrail = session.client("cloudtrail", endpoint_url=args.endpoint_url, config=config)
    scope = TrailScope.for_trail(args.trail_arn, args.s3_bucket, source_region=args.region)
    period = TimeRange(start=args.start_time, end=args.end_time)
    store = S3Store(lambda _bucket: s3)
    result = validate_trail(scope, store, CloudTrailKeys(cloudtrail), period, workers=args.workers)
    summary = {
        "ok": result.ok,
        "digests_valid": result.digests.valid,
        "logs_valid": result.logs.valid,
        "items": [[item.kind.value, item.key, item.code.value, item.cli_equivalent] for item in result.items],
    }
    print(json.dumps(summary))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
