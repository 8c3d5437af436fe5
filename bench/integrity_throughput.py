"""Hashing throughput of the CloudTrail log-file validator over a local copy of a bucket.

Builds a signed chain of gzip'd CloudTrail log files in a scratch folder (the layout
`aws s3 sync` produces, plus a metadata sidecar), then times

* ``validate_trail`` over it (LocalStore, every digest signature and log hash checked), and
* ``gzip -dc <file> | sha256sum`` over the same log files, one file at a time and with
  ``xargs -P <cpus>``,

and prints the figures. The page cache is warmed first so that both read from memory.

    .venv/bin/python bench/integrity_throughput.py [--size-mb 50] [--workers 16]
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from bench.cloudtrail.run import FolderSink
from evidence.integrity.keys import StaticKeys
from evidence.integrity.models import TimeRange, TrailScope
from evidence.integrity.synthetic import ChainSpec, build_chain, public_key_of
from evidence.integrity.validate import validate_trail

BUCKET = "bench-trail-bucket"
START = datetime(2024, 3, 1, 0, 7, 11, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=50.0, help="compressed size of the log files")
    parser.add_argument("--workers", type=int, default=16)
    args = parser.parse_args()

    scope = TrailScope.for_trail("arn:aws:cloudtrail:eu-west-1:111122223333:trail/bench", BUCKET)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        sink = FolderSink(root, BUCKET)
        hours, logs_per_hour = 24, 4
        # About 85 bytes of gzip per synthetic record at the default level.
        records = max(1, int(args.size_mb * 1e6 / 85 / (hours * logs_per_hour)))
        spec = ChainSpec(scope=scope, start=START, hours=hours, logs_per_hour=logs_per_hour, records_per_log=records)
        began = time.perf_counter()
        build_chain(spec, key, sink)
        built = time.perf_counter() - began
        logs = sink.logs()
        gz_bytes = sum(p.stat().st_size for p in logs)
        raw_bytes = sum(len(gzip.decompress(p.read_bytes())) for p in logs)  # also warms the page cache
        print(
            f"built {len(logs)} log files in {built:.1f} s: {gz_bytes / 1e6:.1f} MB gzip, "
            f"{raw_bytes / 1e6:.1f} MB decompressed (ratio {raw_bytes / gz_bytes:.1f})"
        )

        store = sink.store()
        period = TimeRange(start=START, end=START + timedelta(hours=hours))
        for workers in sorted({1, os.cpu_count() or 1, args.workers}):
            began = time.perf_counter()
            result = validate_trail(
                scope,
                store,
                StaticKeys([public_key_of(key)]),
                period,
                as_of=period.end + timedelta(days=1),
                workers=workers,
            )
            took = time.perf_counter() - began
            assert result.ok and result.logs.valid == len(logs), result.items
            report("validate_trail", f"workers={workers}", took, gz_bytes, raw_bytes)

        listing = "\n".join(map(str, logs)) + "\n"
        one_by_one = 'while read -r f; do gzip -dc "$f" | sha256sum; done'
        for label, command in (
            ("gzip -dc | sha256sum", one_by_one),
            (f"xargs -P {os.cpu_count()}", f"xargs -P {os.cpu_count()} -I{{}} sh -c 'gzip -dc {{}} | sha256sum'"),
        ):
            began = time.perf_counter()
            subprocess.run(["sh", "-c", command], input=listing, text=True, check=True, capture_output=True)
            report(label, "", time.perf_counter() - began, gz_bytes, raw_bytes)


def report(label: str, detail: str, seconds: float, gz_bytes: int, raw_bytes: int) -> None:
    print(
        f"{label:24} {detail:12} {seconds:6.2f} s  {gz_bytes / 1e6 / seconds:7.1f} MB/s gzip in  "
        f"{raw_bytes / 1e6 / seconds:7.1f} MB/s decompressed"
    )


if __name__ == "__main__":
    main()
