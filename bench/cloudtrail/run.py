"""CloudTrail integrity benchmark: our validator against ``aws cloudtrail validate-logs``.

1. Over S3 (the demo emulator, with a fixed latency added to every request): builds a signed
   chain of hourly digests (30 days by default, 5 small log files each) with ``build_chain`` and
   ``S3Sink``, registers the signing key for ``ListPublicKeys``, then times, each as a whole
   process, ``bench/cloudtrail/ours.py`` (``validate_trail`` with ``S3Store`` and
   ``CloudTrailKeys``) and ``aws cloudtrail validate-logs`` (awscli from PyPI, in its own venv
   under /tmp) over the same trail and period, and checks that both find everything valid.
   Then it tampers with one log file and checks that both report it.
2. Over a local copy: the same log files on disk (and a larger set, ~50 MB of gzip), hashed by
   ``validate_trail`` with ``LocalStore`` (timed in-process, page cache warm) and by
   ``gzip -dc FILE | sha256sum`` (one file at a time, and ``xargs -P 2``).

Every figure is the median of several runs. Prints markdown tables for bench/RESULTS.md.
The latency is a WSGI middleware wrapped around the emulator's app in this process only.

    .venv/bin/python bench/cloudtrail/run.py [--days 30] [--runs 3] [--latency-ms 20] [--large-mb 50]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from evidence.demo.emulator import Emulator, emulator_credentials, start_emulator
from evidence.integrity.keys import StaticKeys
from evidence.integrity.models import TimeRange, TrailScope
from evidence.integrity.sidecar import ObjectMetadataIndex
from evidence.integrity.store import LocalStore
from evidence.integrity.synthetic import ChainSpec, ObjectSink, S3Sink, build_chain, public_key_of
from evidence.integrity.validate import validate_trail

HERE = Path(__file__).resolve().parent
OURS = HERE / "ours.py"
REGION = "eu-west-1"
ACCOUNT = "111122223333"
TRAIL_ARN = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/management-events"
BUCKET = "bench-cloudtrail-logs"
LARGE_BUCKET = "bench-cloudtrail-large"
START = datetime(2024, 3, 1, 0, 7, 11, tzinfo=UTC)
AWSCLI_VENV = Path(tempfile.gettempdir()) / "evidence-bench-awscli"
GZIP_BYTES_PER_RECORD = 85  # synthetic records, default gzip level (measured)
_CLI_COUNTS = re.compile(r"(\d+)/(\d+) (digest|log) files valid")
_TIME = "%Y-%m-%dT%H:%M:%SZ"


# --- the emulator and its latency ------------------------------------------------------------


class Latency:
    """WSGI middleware: sleeps ``delay`` seconds before each request and counts requests."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.delay = 0.0
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if self.delay:
            time.sleep(self.delay)
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        kind = target.rpartition(".")[2] if target else f"S3 {environ['REQUEST_METHOD']}"
        with self._lock:
            self.requests[kind] += 1
        return self.app(environ, start_response)

    def taken(self) -> Counter[str]:
        with self._lock:
            taken = Counter(self.requests)
            self.requests.clear()
        return taken


def add_latency(emulator: Emulator) -> Latency:
    """Wrap the running emulator's WSGI app (moto's threaded server keeps it on its werkzeug server)."""
    server = emulator._server._server
    latency = Latency(server.app)
    server.app = latency
    return latency


class FolderSink:
    """Objects as files ``root/<key>`` (the layout ``aws s3 sync`` makes); keeps digest metadata."""

    def __init__(self, root: Path, bucket: str) -> None:
        self.root = root
        self.bucket = bucket
        self.metadata: dict[str, dict[str, str]] = {}

    def put(self, bucket: str, key: str, body: bytes, metadata: Mapping[str, str]) -> None:
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        if metadata:
            self.metadata[key] = dict(metadata)

    def store(self) -> LocalStore:
        sidecar = ObjectMetadataIndex(bucket=self.bucket, captured_at=datetime.now(UTC), objects=self.metadata)
        return LocalStore(self.root, self.bucket, sidecar)

    def logs(self) -> list[Path]:
        return sorted(p for p in (self.root / "AWSLogs").rglob("*.json.gz") if "CloudTrail-Digest" not in p.parts)


class Tee:
    def __init__(self, *sinks: ObjectSink) -> None:
        self.sinks = sinks

    def put(self, bucket: str, key: str, body: bytes, metadata: Mapping[str, str]) -> None:
        for sink in self.sinks:
            sink.put(bucket, key, body, metadata)


# --- timing -----------------------------------------------------------------------------------


@dataclass
class Timing:
    label: str
    seconds: list[float] = field(default_factory=list)
    client_cpu: list[float] = field(default_factory=list)
    emulator_cpu: list[float] = field(default_factory=list)
    requests: Counter[str] = field(default_factory=Counter)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def spread(self) -> str:
        return f"{min(self.seconds):.2f} to {max(self.seconds):.2f}"


@dataclass(frozen=True)
class Run:
    seconds: float
    returncode: int
    stdout: str
    stderr: str
    client_cpu: float  # CPU seconds of the timed process
    emulator_cpu: float  # CPU seconds of this process meanwhile: the emulator serving it


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def run_process(command: Sequence[str], env: Mapping[str, str]) -> Run:
    cpu = _cpu(resource.RUSAGE_CHILDREN), _cpu(resource.RUSAGE_SELF)
    began = time.perf_counter()
    done = subprocess.run(command, env=dict(env), capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - began
    client, emulator = _cpu(resource.RUSAGE_CHILDREN) - cpu[0], _cpu(resource.RUSAGE_SELF) - cpu[1]
    return Run(seconds, done.returncode, done.stdout, done.stderr, client, emulator)


def aws_executable() -> Path:
    """``aws`` from awscli (PyPI) in a venv of its own, created on first use."""
    aws = AWSCLI_VENV / "bin" / "aws"
    if not aws.exists():
        subprocess.run([sys.executable, "-m", "venv", str(AWSCLI_VENV)], check=True)
        subprocess.run([str(AWSCLI_VENV / "bin" / "pip"), "install", "--quiet", "awscli"], check=True)
    return aws


# --- part 1: over S3 --------------------------------------------------------------------------


@dataclass(frozen=True)
class S3Bench:
    emulator: Emulator
    latency: Latency
    scope: TrailScope
    period: TimeRange
    aws: Path
    workers: int

    def env(self) -> dict[str, str]:
        credentials = emulator_credentials()
        keep = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ}
        return {
            **keep,
            "AWS_ACCESS_KEY_ID": credentials["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": credentials["aws_secret_access_key"],
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ENDPOINT_URL": self.emulator.endpoint_url,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def _common(self) -> list[str]:
        return [
            "--trail-arn", TRAIL_ARN,
            "--s3-bucket", self.scope.bucket,
            "--start-time", self.period.start.strftime(_TIME),
            "--end-time", self.period.end.strftime(_TIME),
            "--region", REGION,
            "--endpoint-url", self.emulator.endpoint_url,
        ]  # fmt: skip

    def ours(self) -> tuple[Run, Counter[str]]:
        self.latency.taken()
        command = [sys.executable, str(OURS), *self._common(), "--workers", str(self.workers)]
        return run_process(command, self.env()), self.latency.taken()

    def cli(self) -> tuple[Run, Counter[str]]:
        self.latency.taken()
        command = [str(self.aws), "cloudtrail", "validate-logs", *self._common()]
        return run_process(command, self.env()), self.latency.taken()


@dataclass(frozen=True)
class Verdict:
    """What a tool reported: digests and logs valid, and the log files it called invalid."""

    digests_valid: int
    logs_valid: int
    invalid_logs: tuple[str, ...]
    exit_code: int


def ours_verdict(run: Run) -> Verdict:
    if run.returncode not in (0, 1):
        raise RuntimeError(f"ours.py failed ({run.returncode}): {run.stderr[-2000:]}")
    summary = json.loads(run.stdout)
    invalid = tuple(key for kind, key, code, _ in summary["items"] if kind == "log" and code == "hash_mismatch")
    return Verdict(summary["digests_valid"], summary["logs_valid"], invalid, run.returncode)


def cli_verdict(run: Run, bucket: str) -> Verdict:
    if run.returncode not in (0, 1):
        raise RuntimeError(f"validate-logs failed ({run.returncode}): {run.stderr[-2000:]}")
    counts = {kind: int(valid) for valid, _, kind in _CLI_COUNTS.findall(run.stdout)}
    prefix = f"Log file\ts3://{bucket}/"
    invalid = tuple(
        line[len(prefix) :].split("\t")[0]
        for line in run.stderr.splitlines()
        if line.startswith(prefix) and line.endswith("INVALID: hash value doesn't match")
    )
    return Verdict(counts.get("digest", 0), counts.get("log", 0), invalid, run.returncode)


def build_on_emulator(
    emulator: Emulator, scope: TrailScope, spec: ChainSpec, key: RSAPrivateKey, folder: FolderSink
) -> Any:
    credentials = emulator_credentials()
    s3 = boto3.client("s3", endpoint_url=emulator.endpoint_url, region_name=REGION, **credentials)
    s3.create_bucket(Bucket=scope.bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    build_chain(spec, key, Tee(S3Sink(s3), folder))
    public = public_key_of(key)
    end = spec.start + timedelta(hours=spec.hours)
    emulator.register_cloudtrail_public_key(
        REGION, public.fingerprint, public.der, spec.start - timedelta(days=1), end + timedelta(days=1)
    )
    return s3


def tamper(s3: Any, bucket: str, key: str) -> None:
    """Change one event of a log file in place (still valid gzip and JSON)."""
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    document = json.loads(gzip.decompress(body))
    document["Records"][0]["eventName"] = "DeleteTrail"
    s3.put_object(Bucket=bucket, Key=key, Body=gzip.compress(json.dumps(document).encode(), mtime=0))


def bench_s3(bench: S3Bench, runs: int, expected: tuple[int, int]) -> tuple[Timing, Timing]:
    ours, cli = Timing("ours"), Timing("cli")
    for number in range(1, runs + 1):
        for timing, (run, requests), verdict in (
            (ours, bench.ours(), ours_verdict),
            (cli, bench.cli(), lambda r: cli_verdict(r, bench.scope.bucket)),
        ):
            found = verdict(run)
            if (found.digests_valid, found.logs_valid) != expected or found.invalid_logs or found.exit_code:
                raise RuntimeError(
                    f"{timing.label} run {number}: expected all valid {expected}, got {found}\n"
                    f"{run.stdout[-1500:]}\n{run.stderr[-1500:]}"
                )
            timing.seconds.append(run.seconds)
            timing.client_cpu.append(run.client_cpu)
            timing.emulator_cpu.append(run.emulator_cpu)
            timing.requests = requests
            print(
                f"  run {number}: {timing.label} {run.seconds:.2f} s, {sum(requests.values())} requests, "
                f"CPU {run.client_cpu:.1f} s client, {run.emulator_cpu:.1f} s emulator",
                flush=True,
            )
    return ours, cli


def bench_tampered(bench: S3Bench, s3: Any, key: str) -> tuple[float, float]:
    latency, bench.latency.delay = bench.latency.delay, 0.0
    tamper(s3, bench.scope.bucket, key)
    bench.latency.delay = latency
    seconds = []
    for label, (run, _), verdict in (
        ("ours", bench.ours(), ours_verdict),
        ("cli", bench.cli(), lambda r: cli_verdict(r, bench.scope.bucket)),
    ):
        found = verdict(run)
        if found.invalid_logs != (key,) or found.exit_code != 1:
            raise RuntimeError(f"{label} did not report exactly the tampered log {key}: {found}")
        seconds.append(run.seconds)
        print(f"  tampered: {label} {run.seconds:.2f} s, reports {key.rpartition('/')[2]}", flush=True)
    return seconds[0], seconds[1]


# --- part 2: over a local copy ----------------------------------------------------------------


@dataclass(frozen=True)
class LocalSet:
    name: str
    folder: FolderSink
    scope: TrailScope
    period: TimeRange
    key: RSAPrivateKey
    files: list[Path]
    gz_bytes: int
    raw_bytes: int

    @classmethod
    def of(cls, name: str, folder: FolderSink, scope: TrailScope, spec: ChainSpec, key: RSAPrivateKey) -> LocalSet:
        files = folder.logs()
        # Decompressing every file once also warms the page cache for both tools.
        raw = sum(len(gzip.decompress(path.read_bytes())) for path in files)
        period = TimeRange(start=spec.start, end=spec.start + timedelta(hours=spec.hours))
        return cls(name, folder, scope, period, key, files, sum(p.stat().st_size for p in files), raw)

    def describe(self) -> str:
        return (
            f"{self.name}: {len(self.files)} log files, {self.gz_bytes / 1e6:.1f} MB gzip, "
            f"{self.raw_bytes / 1e6:.1f} MB decompressed ({self.raw_bytes / len(self.files) / 1e3:.0f} kB per file)"
        )

    def ours(self, workers: int) -> float:
        store = self.folder.store()
        keys = StaticKeys([public_key_of(self.key)])
        began = time.perf_counter()
        result = validate_trail(self.scope, store, keys, self.period, workers=workers)
        seconds = time.perf_counter() - began
        if not result.ok or result.logs.valid != len(self.files):
            raise RuntimeError(f"{self.name}: validate_trail did not find every log valid: {result.items[:3]}")
        return seconds

    def shell(self, parallel: int) -> float:
        listing = "".join(f"{path}\n" for path in self.files)
        if parallel > 1:
            command = f"xargs -P {parallel} -I{{}} sh -c 'gzip -dc \"$1\" | sha256sum' _ {{}}"
        else:
            command = 'while read -r f; do gzip -dc "$f" | sha256sum; done'
        began = time.perf_counter()
        done = subprocess.run(["sh", "-c", command], input=listing, text=True, capture_output=True, check=True)
        seconds = time.perf_counter() - began
        if done.stdout.count("\n") != len(self.files):
            raise RuntimeError(f"{self.name}: the shell pipeline hashed {done.stdout.count(chr(10))} files")
        return seconds


def bench_local(local: LocalSet, runs: int, workers: Sequence[int]) -> list[Timing]:
    variants: list[tuple[str, Callable[[], float]]] = [
        *((f"`validate_trail`, LocalStore, workers={w}", lambda w=w: local.ours(w)) for w in workers),
        ("`gzip -dc FILE \\| sha256sum`, one file at a time", lambda: local.shell(1)),
        ("same, `xargs -P 2`", lambda: local.shell(2)),
    ]
    timings = [Timing(label) for label, _ in variants]
    for _ in range(runs):
        for timing, (_, measure) in zip(timings, variants, strict=True):
            timing.seconds.append(measure())
    return timings


# --- report -----------------------------------------------------------------------------------


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        model = found.group(1).strip() if found else model
    return f"{platform.machine()}, {os.cpu_count()} CPUs ({model}), Python {platform.python_version()}"


def load() -> str:
    return "/".join(f"{value:.1f}" for value in os.getloadavg())


def cli_version(aws: Path) -> str:
    done = subprocess.run([str(aws), "--version"], capture_output=True, text=True, check=True)
    return (done.stdout or done.stderr).split()[0]


def requests_text(requests: Counter[str]) -> str:
    return ", ".join(f"{count} {kind}" for kind, count in sorted(requests.items()))


def s3_table(ours: Timing, cli: Timing, tampered: tuple[float, float] | None, version: str, workers: int) -> str:
    rows = [
        "| tool | median s | range s | CPU s: tool | CPU s: emulator | requests per run | tampered log: s |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    for timing, name, index in (
        (ours, f"`validate_trail` (S3Store, CloudTrailKeys, workers={workers})", 0),
        (cli, f"`aws cloudtrail validate-logs` ({version})", 1),
    ):
        taken = f"{tampered[index]:.2f}" if tampered else "-"
        rows.append(
            f"| {name} | {timing.median:.2f} | {timing.spread()} | {statistics.median(timing.client_cpu):.1f} | "
            f"{statistics.median(timing.emulator_cpu):.1f} | {requests_text(timing.requests)} | {taken} |"
        )
    paired = sorted(slow / fast for slow, fast in zip(cli.seconds, ours.seconds, strict=True))
    rows.append(
        f"\nRatio (CLI median / ours median): **{cli.median / ours.median:.1f}x** (target ≥ 8x); per run, each "
        f"CLI run over the run of ours just before it: {', '.join(f'{ratio:.1f}x' for ratio in paired)}."
    )
    return "\n".join(rows)


def local_table(local: LocalSet, timings: Sequence[Timing]) -> str:
    rows = [
        f"{local.describe()}\n",
        "| tool | median s | range s | MB/s decompressed | MB/s gzip in |",
        "|---|---:|---:|---:|---:|",
    ]
    for timing in timings:
        rows.append(
            f"| {timing.label} | {timing.median:.2f} | {timing.spread()} | "
            f"{local.raw_bytes / 1e6 / timing.median:.0f} | {local.gz_bytes / 1e6 / timing.median:.1f} |"
        )
    by_label = {timing.label: timing.median for timing in timings}
    sequential, parallel = by_label["`gzip -dc FILE \\| sha256sum`, one file at a time"], by_label["same, `xargs -P 2`"]
    ours = [t for t in timings if t.label.startswith("`validate_trail`")]
    one, best = ours[0], min(ours, key=lambda t: t.median)
    rows.append(
        f"\nOur throughput relative to gzip+sha256 (target ≥ 70%): {one.label.split(', ')[-1]} vs one at a time "
        f"**{sequential / one.median:.0%}**; best ({best.label.split(', ')[-1]}) vs the faster shell variant "
        f"**{min(sequential, parallel) / best.median:.0%}**."
    )
    return "\n".join(rows)


def s3_part(args: argparse.Namespace, bench: S3Bench, s3: Any, small: LocalSet) -> str:
    ours, cli = bench_s3(bench, args.runs, (len(small.files) // args.logs_per_digest, len(small.files)))
    tampered = bench_tampered(bench, s3, str(small.files[len(small.files) // 2].relative_to(small.folder.root)))
    table = s3_table(ours, cli, tampered, cli_version(bench.aws), args.workers)
    return (
        f"### Over S3 (emulator, +{args.latency_ms:.0f} ms per request)\n\n{len(small.files) // args.logs_per_digest} "
        f"hourly digests, {len(small.files)} log files; median of {args.runs} runs, each a whole process.\n\n{table}"
    )


def local_part(args: argparse.Namespace, small: LocalSet, scratch: Path, key: RSAPrivateKey) -> str:
    workers = sorted({1, 2, args.workers})
    reports = [local_table(small, bench_local(small, args.local_runs, workers))]
    if args.large_mb > 0:
        scope = TrailScope.for_trail(TRAIL_ARN, LARGE_BUCKET)
        hours, logs = 48, 5
        records = max(1, int(args.large_mb * 1e6 / GZIP_BYTES_PER_RECORD / (hours * logs)))
        spec = ChainSpec(scope=scope, start=START, hours=hours, logs_per_hour=logs, records_per_log=records)
        folder = FolderSink(scratch / "large", LARGE_BUCKET)
        build_chain(spec, key, folder)
        large = LocalSet.of("Larger set", folder, scope, spec, key)
        reports.append(local_table(large, bench_local(large, args.local_runs, workers)))
    joined = "\n\n".join(reports)
    return f"### Over a local copy (median of {args.local_runs} runs, page cache warm)\n\n{joined}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30, help="hourly digests over this many days")
    parser.add_argument("--logs-per-digest", type=int, default=5)
    parser.add_argument("--records-per-log", type=int, default=30, help="events per log file (about 1.3 kB each)")
    parser.add_argument("--latency-ms", type=float, default=20.0, help="added to every emulator request")
    parser.add_argument("--runs", type=int, default=3, help="runs per variant over S3 (median reported)")
    parser.add_argument("--local-runs", type=int, default=5, help="runs per variant over the local copy")
    parser.add_argument("--workers", type=int, default=16, help="our validator's threads (the product's default)")
    parser.add_argument("--large-mb", type=float, default=50.0, help="gzip size of the larger local set; 0: none")
    parser.add_argument("--part", choices=("all", "s3", "local"), default="all")
    args = parser.parse_args()

    before = load()
    print(f"Machine: {machine()}; load average {before}", flush=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    hours = args.days * 24
    reports = []
    with tempfile.TemporaryDirectory(prefix="evidence-bench-") as scratch:
        scope = TrailScope.for_trail(TRAIL_ARN, BUCKET)
        spec = ChainSpec(
            scope=scope, start=START, hours=hours, logs_per_hour=args.logs_per_digest,
            records_per_log=args.records_per_log,
        )  # fmt: skip
        folder = FolderSink(Path(scratch) / "same", BUCKET)
        emulator = start_emulator()
        try:
            began = time.perf_counter()
            s3 = build_on_emulator(emulator, scope, spec, key, folder)
            small = LocalSet.of("Same log files as over S3", folder, scope, spec, key)
            print(f"Built {hours} digests in {time.perf_counter() - began:.0f} s. {small.describe()}", flush=True)
            if args.part in ("all", "s3"):
                latency = add_latency(emulator)
                latency.delay = args.latency_ms / 1000
                period = TimeRange(start=START, end=START + timedelta(hours=hours))
                bench = S3Bench(emulator, latency, scope, period, aws_executable(), args.workers)
                reports.append(s3_part(args, bench, s3, small))
        finally:
            emulator.stop()
        if args.part in ("all", "local"):
            reports.append(local_part(args, small, Path(scratch), key))

    print(f"\nMachine: {machine()}; load average (1/5/15 min) {before} before, {load()} after.\n")
    print("\n\n".join(reports))


if __name__ == "__main__":
    main()
