"""A process that only collects: the measured part of bench/collect and bench/org.

It points the client factory at an emulator that another process started and seeded, collects with
`collect_into` into a fresh pack folder (through `store.collecting_pack`, as `evidence collect` does),
and prints one JSON object on stdout: wall time, peak RSS of this process, API calls sent, snapshots and
gaps. With `--unit-times` it instead runs `collect` with every collector wrapped in a timer, writes
nothing, and reports the time of each collector's slowest unit (a profiling pass, not a measured run).

    .venv/bin/python bench/collect/worker.py --endpoint URL --out DIR [--regions us-east-1,eu-west-1]
        [--organization ROLE [--accounts N]] [--shard I/N] [--unit-times]
"""

from __future__ import annotations

import argparse
import json
import resource
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from evidence import registry, store
from evidence.aws import ClientFactory
from evidence.collect import CollectContext, collect
from evidence.demo.emulator import emulator_credentials
from evidence.models import Evidence
from evidence.pipeline import Target, accounts_of, collect_into, make_period, organization_accounts, reach_accounts
from evidence.registry import CollectorSpec


def _shard(text: str) -> tuple[int, int]:
    index, _, count = text.partition("/")
    return int(index), int(count)


def _target(args: argparse.Namespace, factory: ClientFactory) -> Target:
    regions = tuple(args.regions.split(","))
    period = make_period(None, None, day_aligned=True)
    if args.organization is None:
        return Target(factory=factory, regions=regions, period=period, shard=args.shard)
    org_id, ids = organization_accounts(factory)
    chosen = ids[: args.accounts] if args.accounts else ids
    accounts = reach_accounts(factory, chosen, role_name=args.organization, shard=args.shard, regions=regions)
    return Target(factory=factory, regions=regions, period=period, accounts=accounts, organization_id=org_id,
                  shard=args.shard)


def peak_rss_mib() -> float:
    """This process's peak resident memory (VmHWM).

    Not getrusage's ru_maxrss: Linux carries that over exec from the process that spawned this one, so a
    worker started by the emulator's large process would report at least that process's peak.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


class _UnitTimes:
    """Seconds spent in each collector function, per unit (the wrapped function runs once per unit)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.seconds: dict[str, list[float]] = {}

    def wrap(self, spec: CollectorSpec) -> CollectorSpec:
        func = spec.func

        def timed(ctx: CollectContext) -> Any:
            start = time.perf_counter()
            try:
                return func(ctx)
            finally:
                elapsed = time.perf_counter() - start
                with self._lock:
                    self.seconds.setdefault(spec.key, []).append(elapsed)

        return replace(spec, func=timed)

    def summary(self) -> dict[str, dict[str, float]]:
        return {key: {"max_s": max(v), "sum_s": sum(v), "units": len(v)} for key, v in self.seconds.items()}


def _run(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    factory = ClientFactory.from_options(endpoint_url=args.endpoint, credentials=emulator_credentials())
    target = _target(args, factory)
    reached = time.perf_counter()
    snapshots: list[Evidence] = []
    lock = threading.Lock()

    def done(ev: Evidence) -> None:
        with lock:
            snapshots.append(ev)

    unit_times: dict[str, dict[str, float]] = {}
    if args.unit_times:
        timer = _UnitTimes()
        specs = [timer.wrap(s) for s in sorted(registry.collectors().values(), key=lambda s: s.key)]
        snapshots = collect(accounts_of(target), regions=target.regions, period=target.period, specs=specs)
        unit_times = timer.summary()
    else:
        with store.collecting_pack(Path(args.out)) as folder:
            collect_into(folder, target, on_done=done)
    finished = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    errors = Counter(ev.error.code for ev in snapshots if ev.error is not None)
    return {
        "accounts": len(accounts_of(target)),
        "reach_s": reached - started,
        "collect_s": finished - reached,
        "run_s": finished - started,
        "calls": factory.recorder.total,
        "calls_by_operation": dict(factory.recorder.sent),
        "snapshots": len(snapshots),
        "gaps": dict(errors),
        "peak_rss_mib": peak_rss_mib(),
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "unit_times": unit_times,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--endpoint", required=True, help="the emulator's URL")
    parser.add_argument("--out", help="pack folder to create (must not exist)")
    parser.add_argument("--regions", default="us-east-1,eu-west-1")
    parser.add_argument("--organization", metavar="ROLE", help="collect the organization's accounts through ROLE")
    parser.add_argument("--accounts", type=int, default=0, help="only the first N accounts of the organization")
    parser.add_argument("--shard", type=_shard, help="I/N: collect shard I of N")
    parser.add_argument("--unit-times", action="store_true", help="profiling pass: time each collector's units")
    args = parser.parse_args(argv)
    if args.out is None and not args.unit_times:
        parser.error("--out is required (except with --unit-times)")
    print(json.dumps(_run(args)))


if __name__ == "__main__":
    main()
