"""Quarter over quarter: two collections of the demo account with the estate changed in between."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from typer.testing import CliRunner

from evidence import store
from evidence.cli import _run_pipeline, app
from evidence.demo import scenario
from evidence.demo.scenario import HOME, OTHER, PUBLIC_BUCKET, bucket_arn
from evidence.diff import DIFF_JSON, diff_packs, read_diff
from evidence.frameworks import resolve
from evidence.models import ExceptionState, Pack, PackDiff, Status
from evidence.pipeline import Target, collect_into, evaluate_in, make_period
from evidence.signoff import SIGNOFF, Decision, make_signoff

runner = CliRunner()

RETIRED = "example-retired-assets"  # exists at the first collection only
NEW_PUBLIC = "example-new-public"  # made public between the two collections
LOG_GROUP = "arn:aws:logs:us-east-1:*:log-group:/example/web-app"
AES = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}


def _register(path: Path, expires_on: date) -> Path:
    """EX-PUBLIC covers every failure of control C1.1 (the public bucket), EX-RETENTION one log group."""
    path.write_text(
        "exceptions:\n"
        "  - id: EX-PUBLIC\n"
        "    control: C1.1\n"
        "    framework: soc2\n"
        "    reason: The public bucket serves the marketing site and holds no customer data.\n"
        "    owner: web-team\n"
        "    approved_by: Jane Doe (CISO)\n"
        "    approved_on: 2026-01-05\n"
        f"    expires_on: {expires_on.isoformat()}\n"
        "  - id: EX-RETENTION\n"
        "    check: cloudwatch.log_group_retention_min\n"
        f"    resource: \"{LOG_GROUP}\"\n"
        "    reason: The web app's logs are archived to S3 by a subscription.\n"
        "    owner: platform-team\n"
        "    approved_by: Jane Doe (CISO)\n"
        "    approved_on: 2026-01-05\n"
        f"    expires_on: {expires_on.isoformat()}\n"
    )
    return path


@pytest.fixture(scope="module")
def packs(emulator: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(older pack, newer pack): the newer written by the pipeline with --previous (as `run` does)."""
    from evidence.demo.run import demo_factory

    scenario.seed(emulator)
    aws = scenario.Clients(emulator)
    aws("s3", HOME).create_bucket(Bucket=RETIRED)
    root = tmp_path_factory.mktemp("diff")
    today = datetime.now(UTC).date()
    target = Target(factory=demo_factory(emulator), regions=scenario.REGIONS, period=make_period(None, None))
    soc2 = resolve(["soc2"])
    old = root / "old"
    with store.collecting_pack(old) as folder:
        collect_into(folder, target)
        evaluate_in(folder, soc2, exceptions=_register(root / "current.yaml", today + timedelta(days=30)))

    aws("s3", HOME).delete_bucket(Bucket=RETIRED)
    aws("s3", OTHER).put_bucket_encryption(Bucket=PUBLIC_BUCKET, ServerSideEncryptionConfiguration=AES)
    aws("s3", HOME).create_bucket(Bucket=NEW_PUBLIC)
    aws("s3", HOME).put_bucket_acl(Bucket=NEW_PUBLIC, ACL="public-read")
    try:
        new = root / "new"
        _run_pipeline(new, target, soc2, company=None, logo=None, previous=store.read_pack(old),
                      exceptions=_register(root / "lapsed.yaml", today - timedelta(days=1)))
        yield old, new
    finally:  # leave the demo account as seeded for the tests that follow
        aws("s3", OTHER).delete_bucket_encryption(Bucket=PUBLIC_BUCKET)
        aws("s3", HOME).delete_bucket(Bucket=NEW_PUBLIC)


@pytest.fixture(scope="module")
def diff(packs: tuple[Path, Path]) -> PackDiff:
    return diff_packs(store.read_pack(packs[0]), store.read_pack(packs[1]))


def _pairs(rows: Any) -> set[tuple[str, str]]:
    return {(r.check, r.resource) for r in rows}


def test_new_failures_fixed_and_still_failing(diff: PackDiff) -> None:
    assert ("s3.bucket_not_public", bucket_arn(NEW_PUBLIC)) in _pairs(diff.new_failures)
    assert ("s3.bucket_default_encryption", bucket_arn(PUBLIC_BUCKET)) in _pairs(diff.fixed)
    assert ("s3.bucket_versioning_enabled", bucket_arn(PUBLIC_BUCKET)) in _pairs(diff.still_failing)
    assert ("s3.bucket_default_encryption", bucket_arn(PUBLIC_BUCKET)) not in _pairs(diff.still_failing)
    fixed = next(r for r in diff.fixed if r.resource == bucket_arn(PUBLIC_BUCKET))
    assert (fixed.old_status, fixed.new_status) == (Status.FAIL, Status.PASS)
    # the lapsed exception makes its failure count again: a new failure that was excepted before
    lapsed = next(r for r in diff.new_failures if r.check == "cloudwatch.log_group_retention_min")
    assert (lapsed.old_status, lapsed.new_status) == (Status.EXCEPTED, Status.FAIL)
    # nothing is in two lists, and a pair that passes in both is in none
    lists = [_pairs(diff.new_failures), _pairs(diff.fixed), _pairs(diff.still_failing)]
    assert sum(len(x) for x in lists) == len(set().union(*lists))
    assert ("s3.bucket_default_encryption", bucket_arn(scenario.DATA_BUCKET)) not in set().union(*lists)


def test_new_and_removed_resources(diff: PackDiff) -> None:
    assert {r.resource for r in diff.new_resources} == {bucket_arn(NEW_PUBLIC)}
    assert {r.resource for r in diff.removed_resources} == {bucket_arn(RETIRED)}
    assert diff.removed_resources[0].account == scenario.ACCOUNT
    # a failure on a removed resource is not "fixed": nothing judged it again
    assert not any(r.resource == bucket_arn(RETIRED) for r in diff.fixed)


def test_control_changes_and_the_lapsed_exception(diff: PackDiff) -> None:
    assert diff.frameworks == ("soc2",)
    changes = {(c.framework, c.control, c.old_status, c.new_status) for c in diff.control_changes}
    assert ("soc2", "C1.1", Status.EXCEPTED, Status.FAIL) in changes
    assert all(c.old_status is not c.new_status for c in diff.control_changes)
    assert [e.id for e in diff.expired_exceptions] == ["EX-PUBLIC", "EX-RETENTION"]
    for lapsed in diff.expired_exceptions:
        assert (lapsed.old_state, lapsed.new_state) == (ExceptionState.APPLIED, ExceptionState.EXPIRED)


def test_an_exception_expiring_between_the_collection_dates(packs: tuple[Path, Path]) -> None:
    old, new = store.read_pack(packs[0]), store.read_pack(packs[1])
    earlier = old.collection.model_copy(update={"finished_at": old.collection.finished_at - timedelta(days=60)})
    old = old.model_copy(update={"collection": earlier})
    def with_expiry(pack: Pack, day: date, state: ExceptionState) -> Pack:
        (result,) = (r for r in pack.exceptions if r.entry.id == "EX-RETENTION")
        entry = result.entry.model_copy(update={"expires_on": day})
        return pack.model_copy(update={"exceptions": (result.model_copy(update={"entry": entry, "state": state}),)})

    inside = new.collection.finished_at.date() - timedelta(days=10)
    listed = diff_packs(with_expiry(old, inside, ExceptionState.UNUSED), with_expiry(new, inside, ExceptionState.EXPIRED))
    assert [e.id for e in listed.expired_exceptions] == ["EX-RETENTION"]
    later = new.collection.finished_at.date() + timedelta(days=10)
    kept = diff_packs(with_expiry(old, later, ExceptionState.UNUSED), with_expiry(new, later, ExceptionState.UNUSED))
    assert kept.expired_exceptions == ()


def test_a_pack_compared_with_itself_has_no_changes(packs: tuple[Path, Path]) -> None:
    pack = store.read_pack(packs[0])
    same = diff_packs(pack, pack)
    assert not (same.new_failures or same.fixed or same.new_resources or same.removed_resources
                or same.control_changes or same.expired_exceptions)
    assert same.still_failing and same.old == same.new


def test_checks_not_run_in_both_packs_are_not_compared(packs: tuple[Path, Path]) -> None:
    old, new = store.read_pack(packs[0]), store.read_pack(packs[1])
    fewer = new.model_copy(update={"frameworks": tuple(
        fw.model_copy(update={"checks": tuple(c for c in fw.checks if not c.check.startswith("s3."))})
        for fw in new.frameworks)})
    diff = diff_packs(old, fewer)
    assert not any(r.check.startswith("s3.") for r in diff.new_failures + diff.fixed + diff.still_failing)
    assert not any(c.startswith("s3.") for c in diff.checks)


# --------------------------------------------------------------------------- command line


def test_diff_json_shape(packs: tuple[Path, Path], diff: PackDiff) -> None:
    result = runner.invoke(app, ["diff", str(packs[0]), str(packs[1]), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"old", "new", "frameworks", "checks", "new_failures", "fixed", "still_failing",
                         "new_resources", "removed_resources", "control_changes", "expired_exceptions"}
    assert set(data["old"]) == {"pack_id", "collected_at", "period", "frameworks"}
    assert data["old"]["collected_at"].endswith("Z") and set(data["old"]["period"]) == {"start", "end"}
    assert set(data["new_failures"][0]) == {"check", "resource", "account", "region", "severity", "old_status",
                                            "new_status", "reason"}
    assert set(data["new_resources"][0]) == {"resource", "account"}
    assert set(data["control_changes"][0]) == {"framework", "control", "title", "old_status", "new_status"}
    assert set(data["expired_exceptions"][0]) == {"id", "expires_on", "reason", "owner", "old_state", "new_state"}
    assert PackDiff.model_validate(data) == diff


def test_diff_tables_for_people(packs: tuple[Path, Path], diff: PackDiff) -> None:
    result = runner.invoke(app, ["diff", str(packs[0]), str(packs[1])], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    for title in ("New failures", "Fixed", "Still failing", "New resources", "Removed resources",
                  "Control status changes", "Exceptions expired in between"):
        assert title in out
    assert bucket_arn(NEW_PUBLIC) in out and "EX-RETENTION" in out
    assert f"… and {len(diff.still_failing) - 10} more" in out
    assert diff.old.pack_id[:16] in out


def test_diff_refuses_a_folder_that_is_not_a_pack(packs: tuple[Path, Path], tmp_path: Path) -> None:
    result = runner.invoke(app, ["diff", str(tmp_path), str(packs[1])])
    assert result.exit_code == 2
    assert "not a complete pack" in result.output and len(result.output.strip().splitlines()) == 1


def test_run_with_previous_keeps_the_diff_and_reports_it(packs: tuple[Path, Path], diff: PackDiff) -> None:
    new = packs[1]
    assert read_diff(new) == diff
    assert DIFF_JSON in store.read_manifest(new).files and store.verify(new).ok
    assert json.loads((new / "pack.json").read_text())["diff"] is None
    text = " ".join(page.extract_text() for page in PdfReader(new / "soc2.pdf").pages)
    assert "Changes since the previous pack" in text
    assert NEW_PUBLIC in text and "EX-RETENTION" in text
    assert diff.old.pack_id in text.replace("\n", "")
    rows = list(load_workbook(new / "soc2.xlsx")["Changes"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Change", "Check or control", "Resource or title")
    assert ("New failure", "s3.bucket_not_public", bucket_arn(NEW_PUBLIC)) in {r[:3] for r in rows}
    assert ("Removed resource", None, bucket_arn(RETIRED)) in {r[:3] for r in rows}
    assert ("Control status change", "C1.1") in {r[:2] for r in rows}


def test_report_previous_on_the_command_line(packs: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = packs
    copy = tmp_path / "new"
    shutil.copytree(new, copy)
    (copy / DIFF_JSON).unlink()
    (copy / "soc2.xlsx").unlink()
    (copy / "manifest.json").write_bytes(store.canonical_json(store.build_manifest(copy)))
    result = runner.invoke(app, ["report", str(copy), "--previous", str(old), "--format", "xlsx"])
    assert result.exit_code == 0, result.output
    assert read_diff(copy) is not None and store.verify(copy).ok
    assert "Changes" in load_workbook(copy / "soc2.xlsx").sheetnames
    # re-rendering later keeps the Changes sheet: the diff is read back from the pack
    (copy / "soc2.xlsx").unlink()
    assert runner.invoke(app, ["report", str(copy), "--format", "xlsx"]).exit_code == 0
    assert "Changes" in load_workbook(copy / "soc2.xlsx").sheetnames
    # re-evaluating makes the diff stale: it is dropped with the rendered reports
    assert runner.invoke(app, ["evaluate", str(copy), "-f", "soc2"]).exit_code == 0
    assert not (copy / DIFF_JSON).exists() and not (copy / "soc2.pdf").exists()


def test_report_previous_refuses_bad_input(packs: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = packs
    copy = tmp_path / "new"
    shutil.copytree(new, copy)
    before = store.read_manifest(copy)
    result = runner.invoke(app, ["report", str(copy), "--previous", str(tmp_path / "nothing")])
    assert result.exit_code == 2 and "not a complete pack" in result.output
    record = make_signoff(copy, name="Jane Doe", role="CISO", decision=Decision.APPROVED, comment="", signed_by=None)
    store.write_file(copy, SIGNOFF, store.canonical_json(record))
    (copy / "manifest.json").write_bytes(store.canonical_json(store.build_manifest(copy)))
    result = runner.invoke(app, ["report", str(copy), "--previous", str(old), "--format", "xlsx"])
    assert result.exit_code == 2 and "signed off" in result.output
    assert store.read_manifest(copy).files.keys() == before.files.keys() | {"signoff.json"}
