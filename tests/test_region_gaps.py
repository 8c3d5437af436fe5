"""A region that denies every call is a recorded gap, and the run completes."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from evidence import store
from evidence.demo import scenario
from evidence.demo.patches import faults
from evidence.demo.run import demo_factory, organization_target
from evidence.frameworks import resolve
from evidence.models import Status
from evidence.pipeline import collect_into, evaluate_in


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
