"""Organization benchmark: 50 accounts x 2 regions on the emulator, reached through AssumeRole.

The emulator (moto's threaded server, with evidence's patches) runs in this process. It gets an Organization
(create_organization, then create_account for every member) and a handful of resources in each account,
seeded through AssumeRole into OrganizationAccountAccessRole as a real member would be. Each measured run is a
separate process, bench/collect/worker.py, that lists the organization's accounts (`organization_accounts`),
assumes the role in each (`reach_accounts`) and collects every registered collector with `collect_into` into
a fresh pack folder. After one cold run over all accounts:

- scaling: the first 10, 20, 30 and 50 accounts, each size `--runs` times (sizes interleaved), medians;
- shards: the same 50 accounts as 4 shards (`--shard i/4`), run one after another and then all at once,
  joined by `merge_shards`, against the single-process run.

Figures go to bench/RESULTS.md, section "org".

    .venv/bin/python -m bench.org.run [--accounts 50] [--runs 3]     (from the repository's root)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from bench.collect.measure import Clients, Run, machine, run_all, run_worker, spread, write_section
from evidence import store
from evidence.collect import shard_accounts
from evidence.demo.emulator import start_emulator
from evidence.pipeline import merge_shards

SECTION = "org"
REGIONS = ("us-east-1", "eu-west-1")
ROLE = "OrganizationAccountAccessRole"
SHARDS = 4
# Resources seeded in each account: global ones once, regional ones in each region.
PER_ACCOUNT = {
    "IAM password policy": 1,
    "IAM users (one with an access key)": 2,
    "IAM role": 1,
    "S3 buckets (one per region, one encrypted)": 2,
    "EC2 security groups with 2 ingress rules": len(REGIONS),
    "EBS volumes": len(REGIONS),
    "KMS keys": len(REGIONS),
    "CloudWatch Logs groups": len(REGIONS),
}


def create_organization(endpoint: str, accounts: int) -> list[str]:
    """The management account's organization with `accounts - 1` members; every account id, management first."""
    org = Clients(endpoint)("organizations")
    org.create_organization(FeatureSet="ALL")
    management = str(org.describe_organization()["Organization"]["MasterAccountId"])
    members = [
        str(org.create_account(AccountName=f"bench-{n:02d}", Email=f"bench-{n:02d}@example.com")
            ["CreateAccountStatus"]["AccountId"])
        for n in range(1, accounts)
    ]
    return [management, *members]


def seed_account(endpoint: str, account_id: str, index: int, management: bool) -> None:
    """A handful of resources, a few of them non-compliant, so every collector has something to read."""
    aws = Clients(endpoint, role_arn=None if management else f"arn:aws:iam::{account_id}:role/{ROLE}")
    iam = aws("iam")
    iam.update_account_password_policy(MinimumPasswordLength=8 + index % 10, RequireSymbols=index % 2 == 0)
    for user in ("deploy", "auditor"):
        iam.create_user(UserName=f"{user}-{index}")
    iam.create_access_key(UserName=f"deploy-{index}")
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    iam.create_role(RoleName=f"app-{index}", AssumeRolePolicyDocument=json.dumps(trust))
    for n, region in enumerate(REGIONS):
        s3 = aws("s3", region)
        bucket = f"bench-{account_id}-{region}"
        config = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        s3.create_bucket(Bucket=bucket, **config)
        if n == 0:
            s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
        ec2 = aws("ec2", region)
        group = ec2.create_security_group(GroupName="web", Description="web tier")["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
             "IpRanges": [{"CidrIp": "0.0.0.0/0" if index % 5 == 0 else "10.0.0.0/8"}]},
        ])
        ec2.create_volume(AvailabilityZone=f"{region}a", Size=8, Encrypted=index % 3 != 0)
        aws("kms", region).create_key(Description=f"bench key {index}")
        aws("logs", region).create_log_group(logGroupName=f"/bench/app-{index}")


def seed(endpoint: str, accounts: int) -> list[str]:
    ids = create_organization(endpoint, accounts)
    run_all([partial(seed_account, endpoint, account, n, n == 0) for n, account in enumerate(ids)])
    return ids


# ---------------------------------------------------------------------------------------------- measuring


def org_args(accounts: int, *extra: str) -> tuple[str, ...]:
    return ("--organization", ROLE, "--accounts", str(accounts), *extra)


@dataclass(frozen=True)
class Shards:
    runs: list[Run]
    wall_s: float  # first start to last exit
    emulator_cpu_s: float


def run_shards(endpoint: str, accounts: int, folder: Path, *, concurrent: bool) -> Shards:
    """The 4 shards as 4 processes, one after another or all at once; packs kept in `folder`/shard-i."""
    jobs = [partial(run_worker, endpoint, *org_args(accounts, "--shard", f"{i}/{SHARDS}"), keep=folder / f"shard-{i}")
            for i in range(SHARDS)]
    cpu_before = os.times()
    start = time.perf_counter()
    if concurrent:
        with ThreadPoolExecutor(max_workers=SHARDS) as pool:
            runs = list(pool.map(lambda job: job(), jobs))
    else:
        runs = [job() for job in jobs]
    wall = time.perf_counter() - start
    cpu_after = os.times()
    cpu = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
    return Shards(runs, wall, cpu)


def merged(folder: Path) -> tuple[float, int]:
    """Merge the shards kept in `folder` the way `evidence merge` does; (seconds, evidence files)."""
    start = time.perf_counter()
    with store.staged_pack(folder / "merged") as pack:
        merge_shards(pack, [folder / f"shard-{i}" for i in range(SHARDS)])
    seconds = time.perf_counter() - start
    return seconds, sum(1 for _ in (folder / "merged" / store.EVIDENCE_DIR).rglob("*.json"))


def fit(points: Sequence[tuple[float, float]]) -> tuple[float, float, float]:
    """Least-squares line through (x, y): slope, intercept, r squared."""
    slope, intercept = statistics.linear_regression([x for x, _ in points], [y for _, y in points])
    r = statistics.correlation([x for x, _ in points], [y for _, y in points])
    return slope, intercept, r * r


def report(args: argparse.Namespace, seed_s: float, cold: Run, scaling: dict[int, list[Run]],
           sequential: Shards, concurrent: Shards, merge: tuple[float, int], load: tuple[float, float]) -> str:
    sizes = sorted(scaling)
    full = scaling[args.accounts]
    medians = {n: statistics.median(r.wall_s for r in runs) for n, runs in scaling.items()}
    slope, intercept, r2 = fit([(n, medians[n]) for n in sizes])
    rss = {n: statistics.median(r.report["peak_rss_mib"] for r in runs) for n, runs in scaling.items()}
    rss_slope, rss_intercept, _ = fit([(n, rss[n]) for n in sizes])
    cpu = {n: statistics.median(r.report["cpu_s"] for r in runs) for n, runs in scaling.items()}
    cpu_slope, _, _ = fit([(n, cpu[n]) for n in sizes])
    emulator = {n: statistics.median(r.emulator_cpu_s for r in runs) for n, runs in scaling.items()}
    emulator_slope, _, _ = fit([(n, emulator[n]) for n in sizes])
    most = max(max(r.report["cpu_s"], r.emulator_cpu_s) / r.wall_s for runs in scaling.values() for r in runs)
    starved = " Neither had a core to itself: the machine was shared." if most < 0.8 else ""
    busier = ("the collecting process, not the emulator, set the pace" if cpu_slope > emulator_slope
              else "the emulator, which serves one request at a time (one Python process, one GIL), set the pace")
    peak = max(r.report["peak_rss_mib"] for runs in scaling.values() for r in runs)
    rows = []
    for n in sizes:
        runs = scaling[n]
        rep = runs[-1].report
        rows.append(
            f"| {n} | {rep['snapshots']} | {spread([r.report['calls'] for r in runs], '{:.0f}')} "
            f"| {spread([r.wall_s for r in runs])} | {spread([r.report['reach_s'] for r in runs])} "
            f"| {medians[n] / n:.2f} | {spread([r.calls_per_s for r in runs], '{:.0f}')} "
            f"| {spread([r.report['peak_rss_mib'] for r in runs], '{:.0f}')} "
            f"| {spread([r.report['cpu_s'] / r.wall_s for r in runs], '{:.2f}')} "
            f"| {spread([r.emulator_cpu_s / r.wall_s for r in runs], '{:.2f}')} |"
        )
    shard_rows = []
    for name, shards in (("one after another", sequential), ("all 4 at once", concurrent)):
        for i, r in enumerate(shards.runs):
            shard_rows.append(f"| {name} | {i}/{SHARDS} | {r.report['snapshots']} | {r.report['calls']} "
                              f"| {r.wall_s:.1f} | {r.calls_per_s:.0f} | {r.report['peak_rss_mib']:.0f} |")
        calls = sum(r.report["calls"] for r in shards.runs)
        shard_rows.append(f"| {name} | **total** | {sum(r.report['snapshots'] for r in shards.runs)} | {calls} "
                          f"| **{shards.wall_s:.1f}** | {calls / shards.wall_s:.0f} "
                          f"| {sum(r.report['peak_rss_mib'] for r in shards.runs):.0f} (sum) |")
    single = statistics.median(r.wall_s for r in full)
    gain = "buys no speed" if concurrent.wall_s > 0.8 * single else "saves some time"
    concurrent_emulator = concurrent.emulator_cpu_s / concurrent.wall_s
    sequential_emulator = sequential.emulator_cpu_s / sequential.wall_s
    ids = [f"{n:012d}" for n in range(args.accounts)]
    touched = "-".join(str(n) for n in sorted({len(shard_accounts(ids, REGIONS, (i, SHARDS)))
                                               for i in range(SHARDS)}))
    gaps = full[-1].report["gaps"]
    lines = [
        f"## {SECTION}",
        "",
        machine(f"python -m bench.org.run --accounts {args.accounts} --runs {args.runs}", load),
        "",
        f"A simulated Organization on the emulator: the management account and {args.accounts - 1} members "
        f"(organizations CreateOrganization, CreateAccount), {len(REGIONS)} regions ({', '.join(REGIONS)}). "
        f"Each account holds {sum(PER_ACCOUNT.values())} seeded resources ("
        + ", ".join(f"{k} {v}" for k, v in PER_ACCOUNT.items())
        + f") besides the emulator's defaults, seeded through AssumeRole in {seed_s:.0f} s (not counted).",
        "",
        f"Each run is one process (`bench/collect/worker.py`): `organization_accounts`, `reach_accounts` "
        f"(AssumeRole into {ROLE} in every member), then all registered collectors with `collect_into` into a "
        f"fresh pack folder (no subset of collectors was needed), at the default concurrency (16 workers, "
        f"8 per account, 4 per service and region of an account, 4 accounts open at most). "
        f"Median (min-max) of {args.runs} runs per size, sizes "
        f"interleaved, after one cold run over {args.accounts} accounts ({cold.wall_s:.0f} s: moto creates each "
        f"account's and region's backends on first use). Wall time is the whole process; `reach` is listing the "
        f"organization and assuming the role in each account.",
        "",
        "| accounts | snapshots | API calls | wall s | of which reach s | wall s per account | calls/s "
        "| peak RSS MiB | collector CPU / wall | emulator CPU / wall |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"Wall time against accounts (medians): {slope:.2f} s per account {intercept:+.1f} s, r² = {r2:.3f}; "
        f"the concurrency is fixed (16 workers), so a constant time per account per worker is a wall time linear "
        f"in accounts. Per account, the collecting process spent {cpu_slope:.2f} CPU-seconds and the emulator "
        f"{emulator_slope:.2f}: {busier}.{starved} "
        f"The collecting process's peak RSS grows by {rss_slope:.0f} MiB per account ({rss_intercept:.0f} MiB "
        f"{rss_slope:+.0f} MiB x accounts): peak {peak:.0f} MiB, {'within' if peak < 1024 else 'OVER'} the 1 GiB budget"
        + ("." if peak < 1024 else f" from about {(1024 - rss_intercept) / rss_slope:.0f} accounts on.")
        + " Every reached account has its own ClientFactory (the parsed service models are shared); at most 4 "
        "accounts have clients alive at once, and a finished account's clients are released, so memory follows "
        "the open accounts, not the organization.",
        "",
        f"Gaps in the {args.accounts}-account run: "
        + (", ".join(f"{code} {n}" for code, n in sorted(gaps.items())) or "none") + ".",
        "",
        f"Shards: the same {args.accounts} accounts as {SHARDS} shards (`Target.shard=(i, {SHARDS})`), each its own "
        f"process, against the single process above (median {single:.1f} s). "
        f"`merge_shards` joined the sequential run's 4 shard packs (verifying each) in {merge[0]:.1f} s into "
        f"{merge[1]} evidence files (single process: {full[-1].report['snapshots']} snapshots).",
        "",
        "| shards run | shard | snapshots | API calls | wall s | calls/s | peak RSS MiB |",
        "|---|---|---:|---:|---:|---:|---:|",
        *shard_rows,
        "",
        f"All {SHARDS} shards at once took {concurrent.wall_s / single:.2f}x the single process's wall time, one "
        f"after another {sequential.wall_s / single:.2f}x (emulator CPU / wall: {concurrent_emulator:.2f} and "
        f"{sequential_emulator:.2f}). On one 2-core machine, sharding {gain}: the processes share the "
        f"same cores and the same emulator, and every shard lists the organization and starts its own interpreter "
        f"again. A shard takes a contiguous run of the (account, region) pairs, so with {len(REGIONS)} regions it "
        f"assumes the role in, and collects from, {touched} of the {args.accounts} accounts. "
        "Shards pay off on separate machines against AWS; "
        "the merge is a copy of the evidence files.",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--accounts", type=int, default=50, help="accounts in the organization (management too)")
    parser.add_argument("--sizes", default="10,20,30", help="smaller sizes for the scaling runs")
    parser.add_argument("--runs", type=int, default=3, help="measured runs per size")
    parser.add_argument("--no-write", action="store_true", help="print the section, leave RESULTS.md alone")
    args = parser.parse_args(argv)
    sizes = sorted({*(int(s) for s in args.sizes.split(",") if int(s) < args.accounts), args.accounts})
    load_before = os.getloadavg()[0]
    emulator = start_emulator()
    folder = Path(tempfile.mkdtemp(prefix="evidence-bench-org-"))
    try:
        endpoint = emulator.endpoint_url
        start = time.perf_counter()
        seed(endpoint, args.accounts)
        seed_s = time.perf_counter() - start
        print(f"seeded {args.accounts} accounts in {seed_s:.1f} s", flush=True)
        cold = run_worker(endpoint, *org_args(args.accounts))
        print(f"cold run: {cold.wall_s:.1f} s, {cold.report['calls']} calls", flush=True)
        scaling: dict[int, list[Run]] = {n: [] for n in sizes}
        for _ in range(args.runs):
            for n in sizes:
                scaling[n].append(run_worker(endpoint, *org_args(n)))
                r = scaling[n][-1]
                print(f"{n} accounts: {r.wall_s:.1f} s, {r.report['calls']} calls, "
                      f"{r.report['peak_rss_mib']:.0f} MiB", flush=True)
        sequential = run_shards(endpoint, args.accounts, folder / "sequential", concurrent=False)
        print(f"shards one after another: {sequential.wall_s:.1f} s", flush=True)
        merge = merged(folder / "sequential")
        concurrent = run_shards(endpoint, args.accounts, folder / "concurrent", concurrent=True)
        print(f"shards all at once: {concurrent.wall_s:.1f} s", flush=True)
    finally:
        emulator.stop()
        shutil.rmtree(folder, ignore_errors=True)
    body = report(args, seed_s, cold, scaling, sequential, concurrent, merge, (load_before, os.getloadavg()[0]))
    if not args.no_write:
        write_section(SECTION, body)
    print(body)


if __name__ == "__main__":
    main()
