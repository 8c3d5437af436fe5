"""Benchmark the renderers: one synthetic pack of N resources, PDF and workbook per framework.

The frameworks are the shipped YAML files (`frameworks/*.yaml`), or synthetic ones of the same sizes
when none is present. Findings, evidence files and gaps are generated with a fixed seed; the
controls are rolled up by evidence.evaluate's own rules. Every render runs in a forked process so
its time and peak memory are its own; figures go to bench/RESULTS.md, section "render".

    .venv/bin/python bench/render/run.py [--resources 10000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import random
import resource
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

from pypdf import PdfReader

from bench.collect.measure import write_section
from evidence.evaluate import check_key, roll_up
from evidence.frameworks import parse, read_yaml
from evidence.models import (
    CheckRef,
    CheckResult,
    CollectionInfo,
    Control,
    EvidenceError,
    EvidenceRef,
    EvidenceType,
    Finding,
    Framework,
    FrameworkResult,
    Gap,
    Pack,
    Period,
    Role,
    Scope,
    Section,
    Severity,
    Status,
)
from evidence.render import render_pdf, render_xlsx
from evidence.store import canonical_json
from evidence.version import TOOL_VERSION

ROOT = Path(__file__).resolve().parents[2]
SECTION = "render"
ACCOUNTS = tuple(f"{n:012d}" for n in (111111111111, 222222222222, 333333333333, 444444444444))
REGIONS = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "ap-northeast-1",
           "sa-east-1")
TYPES = ("ec2:instance", "ec2:volume", "ec2:security-group", "s3:bucket", "iam:role", "iam:user", "iam:policy",
         "rds:db", "lambda:function", "kms:key", "logs:log-group", "dynamodb:table", "elb:loadbalancer", "sns:topic",
         "sqs:queue", "ecr:repository", "eks:cluster", "cloudtrail:trail", "secretsmanager:secret", "ec2:vpc")
SYNTHETIC_SIZES = {"pci-dss": 280, "soc2": 61, "hipaa": 68, "gdpr": 29}
COLLECTED = datetime(2025, 6, 30, 18, 0, tzinfo=UTC)
FAIL_RATE = 0.15
ERROR_RATE = 0.02


def shipped_frameworks() -> list[Framework]:
    paths = sorted((ROOT / "frameworks").glob("*.yaml"))
    return [parse(p, read_yaml(p)) for p in paths]


def synthetic_frameworks(rng: random.Random) -> list[Framework]:
    pool = [f"svc{n:02d}.check_{n:02d}" for n in range(120)]
    out = []
    for fid, size in SYNTHETIC_SIZES.items():
        sections = tuple(Section(id=str(s + 1), title=f"Synthetic family {s + 1}") for s in range(12))
        controls = []
        for i in range(size):
            manual = rng.random() < 0.55
            refs = () if manual else tuple(
                CheckRef(id=c, role=Role.PRIMARY if j == 0 or rng.random() < 0.6 else Role.SECONDARY)
                for j, c in enumerate(rng.sample(pool, rng.randint(1, 4)))
            )
            controls.append(Control(
                id=f"{(i % 12) + 1}.{i // 12 + 1}.{i % 7 + 1}", title=f"Synthetic control {i + 1} of {fid}",
                section=str((i % 12) + 1), evidence=EvidenceType.MANUAL if manual else EvidenceType.HYBRID,
                checks=refs, manual_evidence="Documents and records for the auditor",
            ))
        out.append(Framework(id=fid, name=fid.upper(), version="synthetic", source="bench", sections=sections,
                             controls=tuple(controls)))
    return out


def build_pack(frameworks: Sequence[Framework], n_resources: int, seed: int = 7) -> Pack:
    rng = random.Random(seed)
    resources: dict[str, list[tuple[str, str, str]]] = {t: [] for t in TYPES}
    for i in range(n_resources):
        kind = TYPES[i % len(TYPES)]
        account, region = rng.choice(ACCOUNTS), rng.choice(REGIONS)
        service, rtype = kind.split(":")
        arn = f"arn:aws:{service}:{region}:{account}:{rtype}/bench-{rtype}-{i:06d}-" + "x" * rng.randint(0, 40)
        resources[kind].append((arn, account, region))

    check_ids = sorted({r.id for fw in frameworks for c in fw.controls for r in c.checks})
    keys = sorted({cid.split(".")[0] + ".inventory" for cid in check_ids} | {f"extra.key{n:02d}" for n in range(30)})
    evidence: list[EvidenceRef] = []
    gaps: dict[str, list[Gap]] = {}
    for key in keys:
        for account in ACCOUNTS:
            for region in REGIONS:
                failed = rng.random() < ERROR_RATE
                err = EvidenceError(code="AccessDenied", message=f"User is not authorized to perform {key}") \
                    if failed else None
                evidence.append(EvidenceRef(
                    path=f"evidence/{account}/{region}/{key}.json", key=key, account_id=account, region=region,
                    collected_at=COLLECTED - timedelta(seconds=rng.randint(0, 900)), api_calls=(f"{key}:Describe",),
                    sha256=f"{rng.getrandbits(256):064x}", error=err))
                if failed:
                    gaps.setdefault(key, []).append(Gap(key=key, account_id=account, region=region,
                                                        code="AccessDenied", message=err.message if err else ""))
    paths_of = {k: tuple(e.path for e in evidence if e.key == k) for k in keys}

    results: dict[str, CheckResult] = {}
    for n, cid in enumerate(check_ids):
        key = cid.split(".")[0] + ".inventory"
        severity = list(Severity)[n % 4]
        if n % 5 == 4:  # an account-level check: one finding per account and region
            targets = [(f"arn:aws:iam::{a}:root", a, r) for a in ACCOUNTS for r in REGIONS]
        else:
            targets = resources[TYPES[n % len(TYPES)]]  # every resource of one type, as real checks do
        findings = tuple(
            Finding(check=cid, resource=arn, account=a, region=r, severity=severity,
                    status=Status.FAIL if rng.random() < FAIL_RATE else Status.PASS,
                    reason=f"{arn.rsplit('/', 1)[-1]}: setting is {'off' if rng.random() < 0.5 else 'on'} "
                           "(synthetic reason sentence of typical length)")
            for arn, a, r in targets
        )
        check_gaps = tuple(gaps.get(key, ()))
        if any(f.status is Status.FAIL for f in findings):
            status = Status.FAIL
        elif check_gaps:
            status = Status.NOT_EVALUATED
        else:
            status = Status.PASS if findings else Status.NOT_APPLICABLE
        results[cid] = CheckResult(check=cid, key=cid, title=f"Synthetic check {cid}", severity=severity,
                                   status=status, findings=findings, gaps=check_gaps, evidence=paths_of[key])

    fw_results = []
    for fw in frameworks:
        used: dict[str, CheckResult] = {}
        controls = []
        for control in fw.controls:
            refs = []
            for ref in control.checks:
                k = check_key(ref.id, ref.params, {})
                used[k] = results[ref.id].model_copy(update={"key": k, "params": dict(ref.params)})
                refs.append((ref, k))
            controls.append(roll_up(control, used, refs))
        fw_results.append(FrameworkResult(id=fw.id, name=fw.name, version=fw.version, source=fw.source,
                                          sections=fw.sections, controls=tuple(controls),
                                          checks=tuple(used[k] for k in sorted(used))))
    return Pack(
        pack_id=f"{rng.getrandbits(256):064x}",
        tool_version=TOOL_VERSION,
        evaluated_at=COLLECTED + timedelta(hours=1),
        collection=CollectionInfo(
            tool_version=TOOL_VERSION,
            scope=Scope(accounts=ACCOUNTS, regions=REGIONS, organization_id="o-bench0001"),
            period=Period(start=COLLECTED - timedelta(days=90), end=COLLECTED),
            started_at=COLLECTED - timedelta(minutes=20),
            finished_at=COLLECTED,
            identity_arn=f"arn:aws:iam::{ACCOUNTS[0]}:role/EvidenceCollector",
        ),
        evidence=tuple(evidence),
        gaps=tuple(g for k in sorted(gaps) for g in gaps[k]),
        findings=tuple(f for r in results.values() for f in r.findings),
        frameworks=tuple(fw_results),
    )


def _child(conn: Connection, job: Callable[[], None]) -> None:
    start = time.perf_counter()
    cpu = time.process_time()
    job()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    conn.send((time.perf_counter() - start, time.process_time() - cpu, usage.ru_maxrss / 1024))
    conn.close()


def timed(job: Callable[[], None]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MiB) of `job` run in a forked process."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, job))
    proc.start()
    child.close()
    try:
        wall, cpu, peak = parent.recv()
    except EOFError:
        raise SystemExit("the render process died before reporting (see its error above)") from None
    finally:
        proc.join()
    return wall, cpu, peak


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="keep the rendered files in this folder")
    args = parser.parse_args(argv)

    frameworks = shipped_frameworks()
    source = "shipped frameworks/*.yaml"
    if not frameworks:
        frameworks = synthetic_frameworks(random.Random(3))
        source = "synthetic frameworks (no frameworks/*.yaml present)"
    t0 = time.perf_counter()
    pack = build_pack(frameworks, args.resources)
    pack_json = canonical_json(pack)
    built = time.perf_counter() - t0
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    load = os.getloadavg()
    out = args.keep or Path(tempfile.mkdtemp(prefix="evidence-bench-render-"))
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for fr in pack.frameworks:
        pdf, xlsx = out / f"{fr.id}.pdf", out / f"{fr.id}.xlsx"
        fid = fr.id

        def do_pdf(fid: str = fid, pdf: Path = pdf) -> None:
            render_pdf(pack, fid, pdf, pack_json=pack_json)

        def do_bare_pdf(fid: str = fid) -> None:  # the same report with a two-byte attachment
            render_pdf(pack, fid, out / f"{fid}-bare.pdf", pack_json=b"{}")

        def do_xlsx(fid: str = fid, xlsx: Path = xlsx) -> None:
            render_xlsx(pack, fid, xlsx)

        pdf_s, pdf_cpu, pdf_mb = timed(do_pdf)
        bare_s, _, _ = timed(do_bare_pdf)
        xlsx_s, xlsx_cpu, xlsx_mb = timed(do_xlsx)
        findings = sum(len(c.findings) for c in fr.checks)
        rows.append(
            f"| {fr.id} | {len(fr.controls)} | {len(fr.checks)} | {findings} | {pdf_s:.1f} | {pdf_cpu:.1f} "
            f"| {bare_s:.1f} | {len(PdfReader(pdf).pages)} | {pdf.stat().st_size / 2**20:.1f} | {pdf_mb:.0f} "
            f"| {xlsx_s:.1f} | {xlsx_cpu:.1f} | {xlsx.stat().st_size / 2**20:.1f} | {xlsx_mb:.0f} |"
        )
        print(f"{fr.id}: pdf {pdf_s:.1f} s ({pdf_cpu:.1f} s CPU), xlsx {xlsx_s:.1f} s ({xlsx_cpu:.1f} s CPU)",
              flush=True)
    if args.keep is None:
        shutil.rmtree(out, ignore_errors=True)

    table = [
        "| framework | controls | checks | findings | PDF s | PDF CPU s | PDF s without pack.json | pages | PDF MiB "
        "| PDF peak RSS MiB | workbook s | workbook CPU s | workbook MiB | workbook peak RSS MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
    ]
    body = "\n".join([
        f"## {SECTION}",
        "",
        f"`python bench/render/run.py --resources {args.resources}` on {platform.machine()}, "
        f"{multiprocessing.cpu_count()} CPUs, Python {platform.python_version()}; {source}. "
        f"Load average {load[0]:.1f} before and {os.getloadavg()[0]:.1f} after the run: with other work on the"
        " machine, wall time exceeds CPU time.",
        f"Pack: {args.resources} resources in {len(ACCOUNTS)} accounts x {len(REGIONS)} regions, "
        f"{len(pack.findings)} findings, {len(pack.evidence)} evidence files, {len(pack.gaps)} gaps, "
        f"pack.json {len(pack_json) / 2**20:.1f} MiB (built in {built:.1f} s; "
        f"process RSS {base_rss:.0f} MiB before rendering). Targets: PDF <= 15 s, workbook <= 8 s per framework.",
        "Each render runs in a forked process (wall and CPU time of that process; peak RSS is the memory it touched,"
        " pages shared with the parent that holds the pack count only once touched).",
        "",
        *table,
    ])
    write_section(SECTION, body)
    print(body)


if __name__ == "__main__":
    main()
