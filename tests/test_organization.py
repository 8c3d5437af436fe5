"""Organization scale: every member account, assume-role failures, resume after a kill, shards, throttling."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber
from helpers import cli_env

from evidence import registry, store
from evidence.collect import AccountTarget, plan_units, shard_accounts, shard_pairs
from evidence.demo import scenario
from evidence.demo.run import demo_factory, organization_target
from evidence.pipeline import (
    PipelineError,
    Target,
    collect_into,
    make_period,
    merge_shards,
    organization_accounts,
    reach_accounts,
)
from evidence.registry import Scope

# Enough collectors to exercise every path, few enough to keep the suite fast.
FEW = ("iam.*", "s3.*", "cloudtrail.trails", "ec2.security_groups", "ec2.vpcs", "kms.*")


def test_one_pack_covers_every_account_of_the_organization(demo_pack: Path, demo_members: dict[str, str]) -> None:
    info = store.read_collection(demo_pack)
    assert set(info.scope.accounts) == {scenario.ACCOUNT, *demo_members.values()}
    assert info.scope.organization_id
    accounts_with_evidence = {p.name for p in (demo_pack / "evidence").iterdir()}
    assert accounts_with_evidence == set(info.scope.accounts)
    pack = json.loads((demo_pack / "pack.json").read_text())
    assert {f["account"] for f in pack["findings"]} == set(info.scope.accounts)


def test_an_account_that_cannot_be_assumed_is_a_gap(emulator: Any, tmp_path: Path) -> None:
    scenario.seed(emulator)
    factory = demo_factory(emulator)
    member = scenario.MEMBERS["staging"]
    factory.identity()  # known before the stub takes over the STS client
    with Stubber(factory.client("sts", "us-east-1")) as stub:
        stub.add_client_error("assume_role", "AccessDenied", "not authorized to perform sts:AssumeRole")
        accounts = reach_accounts(factory, [member], role_name=scenario.MEMBER_ROLE, workers=1)
    assert accounts[0].factory is None and accounts[0].error is not None
    assert accounts[0].error.code == "AssumeRoleFailed"
    target = replace(organization_target(factory), accounts=accounts, only=FEW)
    with store.collecting_pack(tmp_path / "p") as folder:
        info = collect_into(folder, target)
    assert info.unreachable_accounts == (member,)
    evidence, _ = store.read_evidence(tmp_path / "p")
    assert evidence and all(ev.error is not None and ev.error.code == "AssumeRoleFailed" for ev in evidence)


def test_resume_after_a_kill_collects_only_what_is_missing(emulator: Any, tmp_path: Path) -> None:
    scenario.seed(emulator)
    dest = tmp_path / "org"
    args = [sys.executable, "-m", "evidence", "collect", "--organization", "--role-name", scenario.MEMBER_ROLE,
            "--regions", ",".join(scenario.REGIONS), "--only", ",".join(FEW), "--out", str(dest)]
    proc = subprocess.Popen(args, env=cli_env(emulator), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    partial = store.partial_folder(dest)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((partial / "evidence").rglob("*.json"))) < 5:
        if proc.poll() is not None:
            pytest.fail("the collection finished before it could be interrupted")
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not dest.exists() and partial.is_dir()
    assert subprocess.run([sys.executable, "-m", "evidence", "verify", str(partial)],
                          env=cli_env(emulator), capture_output=True).returncode != 0
    before = {p: p.read_bytes() for p in (partial / "evidence").rglob("*.json")}
    assert before

    again = subprocess.run(args, env=cli_env(emulator), capture_output=True, text=True)
    assert again.returncode == 2 and "--resume" in again.stderr
    resumed = subprocess.run([*args, "--resume"], env=cli_env(emulator), capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert "Resuming" in resumed.stderr
    assert store.verify(dest).ok and not partial.exists()
    total = len(list((dest / "evidence").rglob("*.json")))  # counted across both runs
    assert f"Collected {total} snapshots from 4 account(s)" in " ".join(resumed.stderr.split())
    for path, data in before.items():
        assert (dest / path.relative_to(partial)).read_bytes() == data  # not collected again
    info = store.read_collection(dest)
    assert len(info.scope.accounts) == 1 + len(scenario.MEMBERS)


def test_shards_merge_and_refuse_missing_or_duplicate(emulator: Any, tmp_path: Path) -> None:
    scenario.seed(emulator)
    base = replace(organization_target(demo_factory(emulator)), only=FEW)
    shards = []
    for index in range(3):
        dest = tmp_path / f"shard-{index}"
        with store.collecting_pack(dest) as folder:
            collect_into(folder, replace(base, shard=(index, 3)))
        shards.append(dest)
    with pytest.raises(PipelineError, match="shard 2/3 is missing"), store.staged_pack(tmp_path / "m1") as f:
        merge_shards(f, shards[:2])
    with pytest.raises(PipelineError, match="given twice"), store.staged_pack(tmp_path / "m2") as f:
        merge_shards(f, [shards[0], shards[0], shards[1]])
    with store.staged_pack(tmp_path / "merged") as folder:
        info = merge_shards(folder, shards)
    assert not (tmp_path / "m1").exists() and not (tmp_path / "m2").exists()
    merged = {p.relative_to(tmp_path / "merged") for p in (tmp_path / "merged" / "evidence").rglob("*.json")}
    parts = [{p.relative_to(s) for p in (s / "evidence").rglob("*.json")} for s in shards]
    assert merged == set().union(*parts) and sum(len(p) for p in parts) == len(merged)
    assert info.shard is None and len(info.scope.accounts) == 1 + len(scenario.MEMBERS)


def test_throttling_storm_completes_through_retries(emulator: Any, tmp_path: Path) -> None:
    from evidence.demo.patches import faults as throttle

    scenario.seed(emulator)
    target = organization_target(demo_factory(emulator))
    throttle.storm("DescribeTrails", times=4)
    with store.collecting_pack(tmp_path / "p") as folder:
        collect_into(folder, replace(target, accounts=target.accounts[:1], only=("cloudtrail.trails",)))
    assert throttle.remaining("DescribeTrails") == 0
    trails = json.loads(next((tmp_path / "p" / "evidence").rglob("cloudtrail.trails.json")).read_text())
    assert trails["error"] is None
    assert target.factory.recorder.sent["cloudtrail:DescribeTrails"] >= 1


def test_throttling_beyond_the_retries_is_a_gap(emulator: Any, tmp_path: Path) -> None:
    from evidence.demo.patches import faults as throttle

    scenario.seed(emulator)
    target = organization_target(demo_factory(emulator, max_attempts=2))
    throttle.storm("DescribeTrails", times=1000)
    try:
        with store.collecting_pack(tmp_path / "p") as folder:
            collect_into(folder, replace(target, accounts=target.accounts[:1], only=("cloudtrail.trails",)))
    finally:
        throttle.storm("DescribeTrails", times=0)
    trails = json.loads(next((tmp_path / "p" / "evidence").rglob("cloudtrail.trails.json")).read_text())
    assert trails["error"]["code"] == "ThrottlingException"


def test_shard_slices_are_contiguous_balanced_and_cover_every_pair_once() -> None:
    accounts = [f"{n:012d}" for n in (7, 3, 11, 5, 9)]
    regions = ("us-east-1", "eu-west-1", "ap-south-1")
    every = [(a, r) for a in sorted(accounts) for r in regions]
    for count in (1, 2, 4, 7, 15, 20):
        slices = [shard_pairs(accounts, regions, (i, count)) for i in range(count)]
        assert [p for s in slices for p in s] == every  # in order: each slice is a contiguous run
        assert max(map(len, slices)) - min(map(len, slices)) <= 1
    assert [sorted(shard_accounts(accounts, regions, (i, 5))) for i in range(5)] == [[a] for a in sorted(accounts)]
    assert all(len(shard_accounts(accounts, regions, (i, 2))) <= 3 for i in range(2))


def test_a_shard_assumes_the_role_only_in_its_accounts(emulator: Any, tmp_path: Path) -> None:
    scenario.seed(emulator)
    factory = demo_factory(emulator)
    org_id, ids = organization_accounts(factory)
    shard = (0, 2)
    accounts = reach_accounts(factory, ids, role_name=scenario.MEMBER_ROLE, shard=shard, regions=scenario.REGIONS)
    wanted = shard_accounts(ids, scenario.REGIONS, shard)
    assert len(wanted) < len(ids)
    assert {a.account_id for a in accounts if a.factory is not None} == wanted
    assert factory.recorder.sent.get("sts:AssumeRole", 0) == len(wanted - {scenario.ACCOUNT})
    target = Target(factory=factory, regions=scenario.REGIONS, period=make_period(None, None, day_aligned=True),
                    accounts=accounts, organization_id=org_id, shard=shard, only=("iam.password_policy",))
    with store.collecting_pack(tmp_path / "p") as folder:
        info = collect_into(folder, target)
    assert info.scope.accounts == tuple(sorted(ids)) and info.unreachable_accounts == ()
    assert {p.name for p in (tmp_path / "p" / "evidence").iterdir()} <= wanted


def test_sharded_collection_and_merge_through_the_cli(emulator: Any, tmp_path: Path) -> None:
    scenario.seed(emulator)
    base = [sys.executable, "-m", "evidence", "collect", "--organization", "--role-name", scenario.MEMBER_ROLE,
            "--regions", ",".join(scenario.REGIONS), "--only", "iam.password_policy,s3.buckets"]
    shards = [tmp_path / "shard-0", tmp_path / "shard-1"]
    first = subprocess.run([*base, "--shard", "0/2", "--out", str(shards[0])], env=cli_env(emulator),
                           capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    said = " ".join(first.stderr.split())
    wanted = len(shard_accounts([scenario.ACCOUNT, *scenario.MEMBERS.values()], scenario.REGIONS, (0, 2)))
    assert f"4 account(s); shard 0/2 collects from {wanted}; assuming {scenario.MEMBER_ROLE} in each" in said
    assert said.count(" done (") == wanted and f"done ({wanted} of {wanted}): 2 snapshot(s), 0 gap(s)" in said
    assert f"Collected {2 * wanted} snapshots from 4 account(s) in 2 region(s); 0 gap(s)." in said
    env = {**cli_env(emulator), "JOB_COMPLETION_INDEX": "1"}  # a Kubernetes indexed Job's second pod
    second = subprocess.run([*base, "--shard", "auto/2", "--out", str(shards[1])], env=env,
                            capture_output=True, text=True)
    assert second.returncode == 0, second.stderr
    infos = [store.read_collection(s) for s in shards]
    assert [(i.shard.index, i.shard.count) for i in infos if i.shard] == [(0, 2), (1, 2)]

    missing = subprocess.run([sys.executable, "-m", "evidence", "merge", str(shards[0]), "--out",
                              str(tmp_path / "m1"), "--frameworks", "soc2"], env=cli_env(emulator),
                             capture_output=True, text=True)
    assert missing.returncode != 0 and "shard 1/2 is missing" in missing.stderr
    assert not (tmp_path / "m1").exists()
    merged = subprocess.run([sys.executable, "-m", "evidence", "merge", *map(str, shards), "--out",
                             str(tmp_path / "m"), "--frameworks", "soc2"], env=cli_env(emulator),
                            capture_output=True, text=True)
    assert merged.returncode == 0, merged.stderr
    assert store.verify(tmp_path / "m").ok
    accounts = {p.name for p in (tmp_path / "m" / "evidence").iterdir()}
    assert accounts == {scenario.ACCOUNT, *scenario.MEMBERS.values()}
    assert len(store.read_evidence(tmp_path / "m")[0]) == 2 * len(accounts)  # both collectors are global


def test_a_global_unit_belongs_to_one_shard_even_when_its_first_region_is_not_enabled() -> None:
    regions = ("us-east-1", "eu-west-1")
    spec = next(s for s in registry.collectors().values() if s.scope is Scope.GLOBAL)
    account = AccountTarget("111111111111", None, regions=("eu-west-1",))  # us-east-1 not enabled
    owner = [plan_units([account], [spec], regions, shard=(i, 2)) for i in range(2)]
    assert [len(units) for units in owner] == [1, 0]  # the shard of (account, us-east-1), as for any account
    assert owner[0][0].region == "eu-west-1" and owner[0][0].label == "global"  # called where it can be
    unknown = AccountTarget("111111111111", None)
    assert [len(plan_units([unknown], [spec], regions, shard=(i, 2))) for i in range(2)] == [1, 0]
