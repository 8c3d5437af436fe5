"""A region that denies every call is a recorded gap, and the run completes."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
from helpers import cli_env
from openpyxl import load_workbook

from evidence import store
from evidence.aws import ClientFactory
from evidence.collect import AccountTarget, shard_pairs
from evidence.demo import scenario
from evidence.demo.patches import faults
from evidence.demo.run import demo_factory, organization_target
from evidence.frameworks import resolve
from evidence.models import AccountRegions, Status
from evidence.pipeline import (
    ReportFormat,
    collect_into,
    enabled_regions_of,
    evaluate_in,
    merge_shards,
    report_in,
)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_denied_region_is_a_gap_and_the_run_completes(emulator: Any, tmp_path: Path) -> None:
    scenario.seed(emulator)
    target = organization_target(demo_factory(emulator, max_attempts=2))
    faults.deny_region(scenario.OTHER, "OptInRequired")
    try:
        with store.collecting_pack(tmp_path / "p") as folder:
            only = ("iam.*", "s3.*", "cloudtrail.trails", "ec2.*", "kms.*")
            collect_into(folder, replace(target, accounts=target.accounts[:1], only=only))
            pack = evaluate_in(folder, resolve(["soc2"]))
    finally:
        faults.allow_region(scenario.OTHER)
    assert store.verify(tmp_path / "p").ok
    evidence, _ = store.read_evidence(tmp_path / "p")
    denied = [ev for ev in evidence if ev.region == scenario.OTHER]
    assert denied and all(ev.error is not None for ev in denied)
    codes = {ev.key: ev.error.code for ev in denied if ev.error}
    assert codes["ec2.security_groups"] == "OptInRequired"  # query protocol
    assert codes["kms.keys"] == "OptInRequired"  # JSON protocol
    assert all(ev.error is None for ev in evidence if ev.region == scenario.HOME)
    assert {g.region for g in pack.gaps} == {scenario.OTHER}
    # A check that needs the denied region's evidence is never a pass.
    regional = [c for c in pack.frameworks[0].checks if any(g.region == scenario.OTHER for g in c.gaps)]
    assert regional and all(c.status in (Status.NOT_EVALUATED, Status.FAIL) for c in regional)
    trails = json.loads(next((tmp_path / "p" / "evidence").rglob("cloudtrail.trails.json")).read_text())
    assert trails["error"] is None and trails["data"]["region_errors"] == {scenario.OTHER: "OptInRequired"}


def test_a_region_an_account_has_not_enabled_is_listed_not_a_gap(emulator: Any, tmp_path: Path) -> None:
    scenario.seed(emulator)
    target = organization_target(demo_factory(emulator, max_attempts=2))
    member = scenario.MEMBERS["staging"]
    faults.disable_region(member, scenario.OTHER)
    try:
        with store.collecting_pack(tmp_path / "p") as folder:
            collect_into(folder, replace(target, only=("iam.password_policy", "cloudtrail.trails", "ec2.vpcs")))
            pack = evaluate_in(folder, resolve(["soc2"]))
            report_in(folder, pack, formats=(ReportFormat.XLSX,))
        cli = subprocess.run(
            [sys.executable, "-m", "evidence", "collect", "--organization", "--role-name", scenario.MEMBER_ROLE,
             "--regions", ",".join(scenario.REGIONS), "--only", "ec2.vpcs", "--out", str(tmp_path / "cli")],
            env=cli_env(emulator), capture_output=True, text=True)
    finally:
        faults.enable_region(member, scenario.OTHER)
    said = " ".join(cli.stderr.split())
    assert cli.returncode == 0 and "(1 account-region(s) not enabled, not collected); 0 gap(s)." in said, said
    info = store.read_collection(tmp_path / "p")
    assert info.regions_not_enabled == (AccountRegions(account=member, regions=(scenario.OTHER,)),)
    evidence, _ = store.read_evidence(tmp_path / "p")
    assert not pack.gaps and all(ev.error is None for ev in evidence)
    assert not [ev for ev in evidence if ev.account_id == member and ev.region == scenario.OTHER]
    assert {ev.account_id for ev in evidence if ev.region == scenario.OTHER} == set(info.scope.accounts) - {member}
    trails = next(ev for ev in evidence if ev.account_id == member and ev.key == "cloudtrail.trails")
    assert trails.data["region_errors"] == {}  # the region was not even asked

    wb = load_workbook(tmp_path / "p" / "soc2.xlsx", read_only=True)
    facts = {row[0]: row[1] for row in wb["Summary"].iter_rows(values_only=True) if len(row) > 1 and row[0]}
    assert facts["Regions not enabled (not collected)"] == f"{member}: {scenario.OTHER}"
    accounts = list(wb["Accounts"].iter_rows(values_only=True))
    column = accounts[0].index("Regions not enabled (not collected)")
    assert {row[0]: row[column] for row in accounts[1:]}[member] == scenario.OTHER


def test_when_an_account_cannot_list_its_regions_every_region_is_collected() -> None:
    session = boto3.Session(aws_access_key_id="AKIDREGIONS", aws_secret_access_key="regions")
    offline = ClientFactory(session, endpoint_url=f"http://127.0.0.1:{closed_port()}", max_attempts=1)
    (account,) = enabled_regions_of([AccountTarget("111111111111", offline)], scenario.REGIONS)
    assert account.regions is None and account.usable(scenario.REGIONS) == scenario.REGIONS


def test_an_account_with_no_region_enabled_still_gets_its_global_evidence_as_gaps(emulator: Any,
                                                                                tmp_path: Path) -> None:
    scenario.seed(emulator)
    target = organization_target(demo_factory(emulator, max_attempts=2))
    member = scenario.MEMBERS["staging"]
    regions = (scenario.OTHER, "eu-west-3")  # two opt-in regions; the member has enabled neither
    for region in regions:
        faults.disable_region(member, region)
    try:
        with store.collecting_pack(tmp_path / "p") as folder:
            info = collect_into(folder, replace(target, regions=regions, only=("iam.password_policy", "ec2.vpcs")))
    finally:
        for region in regions:
            faults.enable_region(member, region)
    assert info.regions_not_enabled == (AccountRegions(account=member, regions=regions),)
    evidence, _ = store.read_evidence(tmp_path / "p")
    mine = [ev for ev in evidence if ev.account_id == member]
    assert [(ev.key, ev.region) for ev in mine] == [("iam.password_policy", "global")]
    assert mine[0].error is not None and mine[0].error.code == "OptInRequired"  # a gap, never a silent pass


def test_shards_list_only_the_regions_they_left_out_and_merge_joins_them(emulator: Any, tmp_path: Path) -> None:
    scenario.seed(emulator)
    target = organization_target(demo_factory(emulator, max_attempts=2))
    member = scenario.MEMBERS["staging"]
    faults.disable_region(member, scenario.OTHER)
    shards = [tmp_path / "s0", tmp_path / "s1"]
    try:
        for index, dest in enumerate(shards):
            with store.collecting_pack(dest) as folder:
                collect_into(folder, replace(target, only=("ec2.vpcs",), shard=(index, 2)))
    finally:
        faults.enable_region(member, scenario.OTHER)
    owner = next(i for i in range(2) if (member, scenario.OTHER) in shard_pairs(
        list(store.read_collection(shards[0]).scope.accounts), scenario.REGIONS, (i, 2)))
    listed = [store.read_collection(s).regions_not_enabled for s in shards]
    assert listed[owner] == (AccountRegions(account=member, regions=(scenario.OTHER,)),)
    assert listed[1 - owner] == ()
    with store.staged_pack(tmp_path / "merged") as folder:
        merged = merge_shards(folder, shards)
    assert merged.regions_not_enabled == (AccountRegions(account=member, regions=(scenario.OTHER,)),)


def test_a_region_collected_before_an_interruption_is_not_listed_as_not_enabled(emulator: Any,
                                                                              tmp_path: Path) -> None:
    scenario.seed(emulator)
    target = organization_target(demo_factory(emulator, max_attempts=2))
    member = scenario.MEMBERS["staging"]
    chosen = replace(target, only=("ec2.vpcs",))
    with store.collecting_pack(tmp_path / "p") as folder:
        collect_into(folder, chosen)
        faults.disable_region(member, scenario.OTHER)  # disabled before the run resumes
        try:
            info = collect_into(folder, chosen)
        finally:
            faults.enable_region(member, scenario.OTHER)
    assert info.regions_not_enabled == ()
    evidence, _ = store.read_evidence(tmp_path / "p")
    assert [ev.error for ev in evidence if ev.account_id == member and ev.region == scenario.OTHER] == [None]


def test_regions_all_leaves_out_the_regions_an_account_has_not_enabled(emulator: Any) -> None:
    scenario.seed(emulator)
    member = scenario.MEMBERS["staging"]
    factory = demo_factory(emulator).assume(member, scenario.MEMBER_ROLE)
    assert scenario.OTHER in factory.enabled_regions()
    faults.disable_region(member, scenario.OTHER)
    try:
        assert scenario.OTHER not in factory.enabled_regions()
        assert factory.opt_in_statuses()[scenario.OTHER] == "not-opted-in"
    finally:
        faults.enable_region(member, scenario.OTHER)
