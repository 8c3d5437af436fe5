"""What bench/collect and bench/org share: running the worker process, medians, the results file."""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from evidence.demo.emulator import emulator_credentials

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "RESULTS.md"
WORKER = Path(__file__).resolve().with_name("worker.py")


@dataclass(frozen=True)
class Run:
    wall_s: float  # the worker process, start to exit, as seen from the emulator's process
    emulator_cpu_s: float  # CPU time of the emulator's process (its server threads) during the run
    report: dict[str, Any]  # what the worker printed

    @property
    def calls_per_s(self) -> float:
        return float(self.report["calls"]) / self.wall_s


def run_worker(endpoint: str, *extra: str, keep: Path | None = None) -> Run:
    """One worker process against the emulator at `endpoint` (served by this process).

    The pack is written to `keep` when given (it must not exist), else to a temporary folder removed after.
    """
    scratch = None if keep is not None else Path(tempfile.mkdtemp(prefix="evidence-bench-"))
    out = keep if keep is not None else Path(str(scratch)) / "pack"
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, str(WORKER), "--endpoint", endpoint, "--out", str(out), *extra],
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    if scratch is not None:
        shutil.rmtree(scratch, ignore_errors=True)
    if proc.returncode != 0:
        raise SystemExit(f"worker failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu, json.loads(proc.stdout.strip().splitlines()[-1]))


def spread(values: Sequence[float], fmt: str = "{:.1f}") -> str:
    """Median (min-max)."""
    if len(values) == 1:
        return fmt.format(values[0])
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def machine(command: str, load: tuple[float, float]) -> str:
    return (f"`{command}` on {datetime.now(UTC):%Y-%m-%d}, {platform.machine()}, {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}; load average {load[0]:.1f} before, {load[1]:.1f} after (the "
            "machine is shared with other jobs, so figures are noisy).")


def write_section(section: str, body: str) -> None:
    """Replace (or add) the `## <section>` of bench/RESULTS.md, keeping every other section as it is."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    out: list[str] = []
    skipping = replaced = False
    for line in text.splitlines():
        if line.startswith("## "):
            skipping = line.strip() == f"## {section}"
            if skipping:
                out.extend([*body.rstrip("\n").splitlines(), ""])
                replaced = True
                continue
        if not skipping:
            out.append(line)
    if not replaced:
        if out and out[-1].strip():
            out.append("")
        out.extend(body.rstrip("\n").splitlines())
    RESULTS.write_text("\n".join(out).rstrip("\n") + "\n")


SEED_WORKERS = 8
Task = Callable[[], None]


class Clients:
    """Thread-safe boto3 clients on the emulator, one per (service, region), for seeding only.

    With `role_arn`, they act in another account through AssumeRole, as a real organization's member.
    """

    def __init__(self, endpoint: str, *, role_arn: str | None = None) -> None:
        self._session = boto3.Session(**emulator_credentials())
        self._endpoint = endpoint
        self._config = Config(max_pool_connections=SEED_WORKERS * 2, retries={"mode": "standard"})
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        if role_arn is not None:
            creds = self("sts").assume_role(RoleArn=role_arn, RoleSessionName="bench-seed")["Credentials"]
            self._session = boto3.Session(aws_access_key_id=creds["AccessKeyId"],
                                          aws_secret_access_key=creds["SecretAccessKey"],
                                          aws_session_token=creds["SessionToken"])
            self._clients.clear()

    def __call__(self, service: str, region: str = "us-east-1") -> Any:
        with self._lock:
            if (service, region) not in self._clients:
                self._clients[(service, region)] = self._session.client(
                    service, region_name=region, endpoint_url=self._endpoint, config=self._config
                )
            return self._clients[(service, region)]


def run_all(tasks: Sequence[Task]) -> None:
    """Run seeding tasks on a few threads; the first failure stops the benchmark."""
    with ThreadPoolExecutor(max_workers=SEED_WORKERS, thread_name_prefix="seed") as pool:
        for future in [pool.submit(t) for t in tasks]:
            future.result()
