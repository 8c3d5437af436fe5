"""AWS misbehaving: no or expiring credentials, denial, throttling, a network that goes away, malformed and
endless answers, and a very large estate. Each is either one clear line and a non-zero exit, or an explicit
gap in a complete pack whose controls say not_evaluated, never pass."""

from __future__ import annotations

import http.server
import itertools
import threading
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import PaginationError
from botocore.stub import Stubber
from hardening_support import (
    ACCOUNT,
    REGION,
    Cutoff,
    assert_clear_error,
    check_status,
    cli,
    collect_pack,
    no_aws_env,
    offline_factory,
    snapshot,
)

from evidence import registry, store
from evidence.aws import ClientFactory
from evidence.collect import AccountTarget, CredentialsExpired, bounded_pages, collect_each
from evidence.demo.emulator import emulator_credentials
from evidence.demo.run import demo_factory
from evidence.models import CollectionInfo, Scope
from evidence.pipeline import make_period
from evidence.version import TOOL_VERSION

LOG_CHECK = "cloudwatch.log_group_retention_min"
SG_CHECKS = ("ec2.sg_no_admin_ports_open_to_world", "ec2.sg_no_high_risk_ports_open_to_world",
             "ec2.sg_no_unrestricted_ingress")
KMS_CHECK = "kms.cmk_rotation_enabled"


def log_group(name: str, days: int | None = 400) -> dict[str, Any]:
    arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}"
    group: dict[str, Any] = {"logGroupName": name, "arn": f"{arn}:*", "logGroupArn": arn}
    if days is not None:
        group["retentionInDays"] = days
    return group


def assert_complete(dest: Path) -> None:
    result = store.verify(dest)
    assert result.ok and result.checked > 0
    assert not [p for p in dest.parent.iterdir() if p.name.startswith(f".{dest.name}.")]


# ----------------------------------------------------------------------------- credentials


def test_no_credentials(tmp_path: Path) -> None:
    result = cli("run", "--regions", "us-east-1", "--out", tmp_path / "p", env=no_aws_env(tmp_path))
    assert_clear_error(result, "no AWS credentials found: use --profile")
    assert not (tmp_path / "p").exists()


def test_unknown_profile(tmp_path: Path) -> None:
    result = cli("collect", "--profile", "nobody", "--regions", "us-east-1", "--out", tmp_path / "p",
                 env=no_aws_env(tmp_path))
    assert_clear_error(result, "nobody")


def test_credentials_expiring_mid_run_stop_it_resumably(tmp_path: Path) -> None:
    factory = offline_factory()
    logs = factory.client("logs", REGION)
    specs = [registry.collectors()[k] for k in ("logs.log_groups", "logs.metric_filters")]
    period = make_period(None, None)
    dest = tmp_path / "p"

    def run(*, resume: bool = False) -> None:
        with store.collecting_pack(dest, resume=resume) as folder:
            collect_each((AccountTarget(ACCOUNT, factory),), lambda ev: store.write_evidence(folder, ev),
                         regions=(REGION,), period=period, specs=specs, workers=1, skip=store.collected_units(folder))
            info = CollectionInfo(tool_version=TOOL_VERSION, scope=Scope(accounts=(ACCOUNT,), regions=(REGION,)),
                                  period=period, started_at=datetime.now(UTC), finished_at=datetime.now(UTC))
            store.write_file(folder, store.COLLECTION, store.canonical_json(info))

    with Stubber(logs) as stub:
        stub.add_response("describe_log_groups", {"logGroups": [log_group("app")]})
        stub.add_client_error("describe_metric_filters", "ExpiredTokenException",
                              "The security token included in the request is expired")
        with pytest.raises(CredentialsExpired, match=r"expired during the collection \(ExpiredTokenException"):
            run()
    partial = store.partial_folder(dest)
    assert not dest.exists() and not (partial / store.MANIFEST).exists()
    kept = {p: p.read_bytes() for p in (partial / "evidence").rglob("*.json")}
    assert [p.name for p in kept] == ["logs.log_groups.json"]  # the expired call left no gap behind

    logs = factory.client("logs", REGION)  # the stopped run released the account's clients
    with Stubber(logs) as stub:  # renewed credentials: only what is missing is collected
        stub.add_response("describe_metric_filters", {"metricFilters": []})
        run(resume=True)
        stub.assert_no_pending_responses()
    assert_complete(dest)
    assert all((dest / p.relative_to(partial)).read_bytes() == data for p, data in kept.items())
    assert all(ev.error is None for ev in store.read_evidence(dest)[0])


def test_credentials_expiring_mid_run_through_the_cli(emulator: Any, aws_env: dict[str, str | None],
                                                      tmp_path: Path) -> None:
    from evidence.demo.patches import faults

    dest = tmp_path / "p"
    args = ("collect", "--regions", "us-east-1,eu-west-1", "--only", "logs.log_groups", "--out", dest)
    faults.deny_region("eu-west-1", "ExpiredToken")
    try:
        result = cli(*args, env=aws_env)
    finally:
        faults.allow_region("eu-west-1")
    assert_clear_error(result, "the AWS credentials expired during the collection (ExpiredToken")
    assert not dest.exists()
    resumed = cli(*args, "--resume", env=aws_env)
    assert resumed.exit_code == 0, resumed.output
    assert_complete(dest)
    assert {ev.region for ev in store.read_evidence(dest)[0] if ev.error is None} == {"us-east-1", "eu-west-1"}


# ----------------------------------------------------------------------------- denial, throttling, network


def test_access_denied_on_every_call_of_a_service_is_a_gap(tmp_path: Path) -> None:
    factory = offline_factory()
    with Stubber(factory.client("logs", REGION)) as stub:
        for op in ("describe_log_groups", "describe_metric_filters"):
            stub.add_client_error(op, "AccessDeniedException", f"not authorized to perform logs:{op}")
        pack = collect_pack(tmp_path / "p", factory, ["logs.log_groups", "logs.metric_filters"],
                            {"LOG-1": [LOG_CHECK]})
    assert_complete(tmp_path / "p")
    assert {(g.key, g.code) for g in pack.gaps} == {("logs.log_groups", "AccessDeniedException"),
                                                     ("logs.metric_filters", "AccessDeniedException")}
    assert check_status(pack, LOG_CHECK) == "not_evaluated"
    assert pack.frameworks[0].controls[0].status.value == "not_evaluated"


def test_throttling_beyond_the_retries_is_a_gap(emulator: Any, tmp_path: Path) -> None:
    from evidence.demo.patches import faults

    faults.storm("DescribeLogGroups", times=1000)
    try:
        pack = collect_pack(tmp_path / "p", demo_factory(emulator, max_attempts=2), ["logs.log_groups"],
                            {"LOG-1": [LOG_CHECK]})
    finally:
        faults.storm("DescribeLogGroups", times=0)
    assert_complete(tmp_path / "p")
    assert [(g.key, g.code) for g in pack.gaps] == [("logs.log_groups", "ThrottlingException")]
    assert check_status(pack, LOG_CHECK) == "not_evaluated"


def test_unreachable_endpoint_is_a_gap_for_every_snapshot(tmp_path: Path) -> None:
    keys = ["ec2.security_groups", "kms.keys", "logs.log_groups"]
    pack = collect_pack(tmp_path / "p", offline_factory(), keys, {"NET": SG_CHECKS, "KMS": [KMS_CHECK]})
    assert_complete(tmp_path / "p")
    assert sorted((g.key, g.code) for g in pack.gaps) == [(k, "EndpointConnectionError") for k in keys]
    assert {c.status.value for c in pack.frameworks[0].controls} == {"not_evaluated"}


def test_endpoint_going_away_mid_run(emulator: Any, tmp_path: Path) -> None:
    relay = Cutoff(emulator.port)
    factory = ClientFactory.from_options(endpoint_url=relay.url, credentials=emulator_credentials(), max_attempts=2)
    first: list[str] = []

    def cut_after_first(ev: Any) -> None:
        if not first:
            first.append(ev.key)
            relay.cut()

    keys = ["ec2.security_groups", "kms.keys", "logs.log_groups"]
    pack = collect_pack(tmp_path / "p", factory, keys, {"NET": SG_CHECKS, "KMS": [KMS_CHECK], "LOG": [LOG_CHECK]},
                        on_done=cut_after_first)
    assert_complete(tmp_path / "p")
    assert first == ["ec2.security_groups"] and snapshot(tmp_path / "p", first[0]).error is None
    assert sorted(g.key for g in pack.gaps) == ["kms.keys", "logs.log_groups"]
    assert all(g.code in ("EndpointConnectionError", "ConnectionClosedError") for g in pack.gaps), pack.gaps
    assert check_status(pack, KMS_CHECK) == check_status(pack, LOG_CHECK) == "not_evaluated"


# ----------------------------------------------------------------------------- malformed answers


def test_response_missing_a_field_a_collector_needs(tmp_path: Path) -> None:
    factory = offline_factory()
    with Stubber(factory.client("kms", REGION)) as stub:
        stub.add_response("list_keys", {"Keys": [{"KeyId": "1234abcd"}]})  # no KeyArn
        stub.add_response("list_aliases", {"Aliases": []})
        pack = collect_pack(tmp_path / "p", factory, ["kms.keys"], {"KMS": [KMS_CHECK]})
    assert_complete(tmp_path / "p")
    assert [(g.code, g.message) for g in pack.gaps] == [("CollectorError", "KeyError: 'KeyArn'")]
    assert check_status(pack, KMS_CHECK) == "not_evaluated"


def test_response_missing_a_field_a_check_needs(tmp_path: Path) -> None:
    factory = offline_factory()
    with Stubber(factory.client("ec2", REGION)) as stub:
        stub.add_response("describe_security_groups", {"SecurityGroups": [{"GroupName": "no-id", "IpPermissions": [
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]})
        pack = collect_pack(tmp_path / "p", factory, ["ec2.security_groups"], {"NET": SG_CHECKS})
    assert_complete(tmp_path / "p")
    assert snapshot(tmp_path / "p", "ec2.security_groups").error is None
    for check_id in SG_CHECKS:
        result = next(c for c in pack.frameworks[0].checks if c.check == check_id)
        assert result.status.value == "not_evaluated" and [g.code for g in result.gaps] == ["CheckError"]
    assert pack.frameworks[0].controls[0].status.value == "not_evaluated"


class _Garbage(http.server.BaseHTTPRequestHandler):
    """Answers every request 200 with the body and content type of the server it belongs to."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body, kind = self.server.answer  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def garbage_server(request: pytest.FixtureRequest) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Garbage)
    server.answer = request.param  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("garbage_server", [
    (b"<!DOCTYPE html><html><body>Sign in to the guest network</body></html>", "text/html"),
    (b'{"logGroups": [{"logGroupName": "trunc', "application/x-amz-json-1.1"),
], ids=["captive-portal-html", "truncated-json"], indirect=True)
def test_garbage_answer_is_a_gap_not_an_empty_listing(garbage_server: str, tmp_path: Path) -> None:
    keys = ["ec2.security_groups", "kms.keys", "logs.log_groups"]
    pack = collect_pack(tmp_path / "p", offline_factory(garbage_server), keys,
                        {"NET": SG_CHECKS, "KMS": [KMS_CHECK], "LOG": [LOG_CHECK]})
    assert_complete(tmp_path / "p")
    gaps = {g.key: g for g in pack.gaps}
    assert set(gaps) == set(keys)  # never read as "no security groups", "no keys", "no log groups"
    assert {gaps["kms.keys"].code, gaps["logs.log_groups"].code} == {"UnexpectedResponse"}
    assert not [f for f in pack.findings if f.status.value == "pass"]
    assert {c.status.value for c in pack.frameworks[0].controls} <= {"not_evaluated", "fail"}


# ----------------------------------------------------------------------------- pagination


def test_same_next_token_forever_is_a_gap(tmp_path: Path) -> None:
    factory = offline_factory()
    with Stubber(factory.client("logs", REGION)) as stub:
        stub.add_response("describe_log_groups", {"logGroups": [log_group("a")], "nextToken": "again"})
        stub.add_response("describe_log_groups", {"logGroups": [log_group("b")], "nextToken": "again"})
        pack = collect_pack(tmp_path / "p", factory, ["logs.log_groups"], {"LOG": [LOG_CHECK]})
    assert_complete(tmp_path / "p")
    assert [(g.key, g.code) for g in pack.gaps] == [("logs.log_groups", "PaginationError")]
    assert check_status(pack, LOG_CHECK) == "not_evaluated"


def test_pagination_tokens_in_a_loop_are_a_gap(tmp_path: Path) -> None:
    factory = offline_factory()
    page_a = {"logGroups": [log_group("b")], "nextToken": "B"}
    with Stubber(factory.client("logs", REGION)) as stub:
        stub.add_response("describe_log_groups", {"logGroups": [log_group("a")], "nextToken": "A"})
        stub.add_response("describe_log_groups", page_a, {"nextToken": "A"})
        stub.add_response("describe_log_groups", {"logGroups": [log_group("c")], "nextToken": "A"}, {"nextToken": "B"})
        stub.add_response("describe_log_groups", page_a, {"nextToken": "A"})  # token A again: the same page
        pack = collect_pack(tmp_path / "p", factory, ["logs.log_groups"], {"LOG": [LOG_CHECK]})
    assert_complete(tmp_path / "p")
    gap = snapshot(tmp_path / "p", "logs.log_groups").error
    assert gap is not None and gap.code == "PaginationError" and "sent page 4 again" in gap.message
    assert check_status(pack, LOG_CHECK) == "not_evaluated"


def test_conformance_pack_results_in_a_token_loop_are_a_gap(tmp_path: Path) -> None:
    factory = offline_factory()
    def result(bucket: str) -> dict[str, Any]:
        return {"EvaluationResultIdentifier": {"EvaluationResultQualifier": {
            "ConfigRuleName": "r", "ResourceType": "AWS::S3::Bucket", "ResourceId": bucket}},
            "ComplianceType": "NON_COMPLIANT", "ConfigRuleInvokedTime": datetime(2026, 1, 1, tzinfo=UTC),
            "ResultRecordedTime": datetime(2026, 1, 1, tzinfo=UTC)}

    with Stubber(factory.client("config", REGION)) as stub:
        stub.add_response("describe_conformance_packs", {"ConformancePackDetails": [{
            "ConformancePackName": "pci", "ConformancePackArn": "arn:aws:config:us-east-1:1:conformance-pack/pci",
            "ConformancePackId": "conformance-pack-1"}]})
        stub.add_response("describe_conformance_pack_status", {"ConformancePackStatusDetails": []})
        stub.add_response("get_conformance_pack_compliance_summary", {"ConformancePackComplianceSummaryList": [
            {"ConformancePackName": "pci", "ConformancePackComplianceStatus": "NON_COMPLIANT"}]})
        stub.add_response("describe_conformance_pack_compliance",
                          {"ConformancePackName": "pci", "ConformancePackRuleComplianceList": []})
        for bucket in ("a", "b"):  # different pages, the same token: the listing would go round forever
            stub.add_response("get_conformance_pack_compliance_details", {
                "ConformancePackName": "pci", "ConformancePackRuleEvaluationResults": [result(bucket)],
                "NextToken": "again"})
        pack = collect_pack(tmp_path / "p", factory, ["config.conformance_packs"],
                            {"CP": ["config.conformance_pack_deployed"]})
    assert_complete(tmp_path / "p")
    gap = snapshot(tmp_path / "p", "config.conformance_packs").error
    assert gap is not None and gap.code == "PaginationError" and "same NextToken twice" in gap.message
    assert check_status(pack, "config.conformance_pack_deployed") == "not_evaluated"


def test_a_listing_that_never_ends_stops_at_the_page_cap() -> None:
    endless = ({"logGroups": [], "nextToken": str(n)} for n in itertools.count())
    with pytest.raises(PaginationError, match="DescribeLogGroups sent more than 50 pages"):
        for _ in bounded_pages(endless, "DescribeLogGroups", limit=50):
            pass


# ----------------------------------------------------------------------------- scale


def test_ten_thousand_security_groups(tmp_path: Path) -> None:
    factory = offline_factory()
    open_ssh = [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    with Stubber(factory.client("ec2", REGION)) as stub:
        for page in range(10):
            groups = [{"GroupId": f"sg-{n:017x}", "GroupName": f"group-{n}", "OwnerId": ACCOUNT, "VpcId": "vpc-1",
                       "IpPermissions": open_ssh if n % 100 == 0 else [], "IpPermissionsEgress": []}
                      for n in range(page * 1000, page * 1000 + 1000)]
            stub.add_response("describe_security_groups",
                              {"SecurityGroups": groups, **({"NextToken": f"t{page}"} if page < 9 else {})})
        tracemalloc.start()
        started = time.perf_counter()
        pack = collect_pack(tmp_path / "p", factory, ["ec2.security_groups"], {"NET": SG_CHECKS[:1]})
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert_complete(tmp_path / "p")
    data = snapshot(tmp_path / "p", "ec2.security_groups").data
    assert isinstance(data, list) and len({g["GroupId"] for g in data}) == 10_000
    findings = [f for f in pack.findings if f.check == SG_CHECKS[0]]
    assert len({f.resource for f in findings}) == 10_000
    assert sum(f.status.value == "fail" for f in findings) == 100
    assert elapsed < 60, f"{elapsed:.1f}s"
    assert peak < 1024 * 1024 * 1024, f"peak {peak / 2**20:.0f} MiB"
