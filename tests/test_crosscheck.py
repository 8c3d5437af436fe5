"""The AWS Config cross-check: Config's verdict per control beside ours, every disagreement flagged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import snapshot
from openpyxl import load_workbook
from pypdf import PdfReader

from evidence import registry, store
from evidence.crosscheck import combine, evaluation_resource
from evidence.evaluate import EvidenceIndex, evaluate_framework, run_check
from evidence.models import (
    CheckRef,
    ConfigCompliance,
    Control,
    Evidence,
    EvidenceError,
    EvidenceType,
    Framework,
    FrameworkResult,
    Pack,
    Role,
    Status,
)

ACCOUNT = "111122223333"
C = ConfigCompliance
VERSIONING = CheckRef(id="s3.bucket_versioning_enabled")
NOT_PUBLIC = CheckRef(id="s3.bucket_not_public")


def control(cid: str, *checks: CheckRef, rules: tuple[str, ...]) -> Control:
    return Control(id=cid, title=cid, section="S", evidence=EvidenceType.AUTOMATED, checks=checks, config_rules=rules)


def framework(*controls: Control) -> Framework:
    return Framework(id="t", name="Test", version="1", source="test", controls=controls)


def bucket(name: str, *, versioned: bool, public: bool = False) -> dict[str, Any]:
    grants = [{"Grantee": {"URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"}]
    return {"Name": name, "Region": "eu-west-1", "errors": {}, "versioning": {"Status": "Enabled"} if versioned else {},
            "acl": {"Grants": grants if public else []}, "policy_status": None}


def buckets(*items: dict[str, Any]) -> list[Evidence]:
    return [snapshot("s3.buckets", list(items)), snapshot("s3.account_public_access_block", None)]


def config_rule(name: str, source: str, compliance: str, judged: dict[str, str], *, owner: str = "AWS") -> dict[str, Any]:
    results = [{"EvaluationResultIdentifier": {"EvaluationResultQualifier": {
        "ConfigRuleName": name, "ResourceType": "AWS::S3::Bucket", "ResourceId": resource}},
        "ComplianceType": kind} for resource, kind in judged.items()]
    src = {"Owner": owner, "SourceIdentifier": source}
    return {"ConfigRuleName": name, "ConfigRuleArn": f"arn:aws:config:eu-west-1:{ACCOUNT}:config-rule/{name}",
            "Source": src, "Compliance": {"ComplianceType": compliance}, "EvaluationResults": results, "errors": {}}


def rules(*items: dict[str, Any], region: str = "eu-west-1") -> Evidence:
    return snapshot("config.rules", list(items), region=region)


def evaluate(fw: Framework, evidence: list[Evidence]) -> FrameworkResult:
    return evaluate_framework(fw, EvidenceIndex(evidence))


def test_config_compliant_where_we_fail_is_flagged_on_the_resource() -> None:
    fw = framework(control("C1", VERSIONING, rules=("S3_BUCKET_VERSIONING_ENABLED",)))
    evidence = [*buckets(bucket("public", versioned=False), bucket("kept", versioned=True)),
                rules(config_rule("v", "S3_BUCKET_VERSIONING_ENABLED", "COMPLIANT",
                                  {"public": "COMPLIANT", "kept": "COMPLIANT"}))]
    (verdict,) = evaluate(fw, evidence).config.controls
    assert (verdict.control, verdict.ours, verdict.config, verdict.disagrees) == ("C1", "fail", C.COMPLIANT, True)
    assert [(c.resource, c.rule, c.config, c.check, c.ours) for c in verdict.conflicts] == [
        ("arn:aws:s3:::public", "v", C.COMPLIANT, "s3.bucket_versioning_enabled", "fail")]
    assert "rule v finds arn:aws:s3:::public compliant, check s3.bucket_versioning_enabled fails it" in verdict.reason
    assert "our checks fail this control" in verdict.reason
    assert [r.name for r in verdict.rules] == ["v"]


def test_config_non_compliant_where_we_pass_is_flagged() -> None:
    fw = framework(control("C1", VERSIONING, rules=("S3_BUCKET_VERSIONING_ENABLED",)))
    evidence = [*buckets(bucket("kept", versioned=True)),
                rules(config_rule("v", "S3_BUCKET_VERSIONING_ENABLED", "NON_COMPLIANT", {"kept": "NON_COMPLIANT"}))]
    (verdict,) = evaluate(fw, evidence).config.controls
    assert (verdict.ours, verdict.config, verdict.disagrees) == ("pass", C.NON_COMPLIANT, True)
    assert verdict.conflicts[0].ours == "pass"
    assert "non-compliant resources under v (S3_BUCKET_VERSIONING_ENABLED), but our checks pass" in verdict.reason


def test_agreement_is_not_flagged() -> None:
    fw = framework(control("C1", VERSIONING, rules=("S3_BUCKET_VERSIONING_ENABLED",)))
    evidence = [*buckets(bucket("public", versioned=False), bucket("kept", versioned=True)),
                rules(config_rule("v", "S3_BUCKET_VERSIONING_ENABLED", "NON_COMPLIANT",
                                  {"public": "NON_COMPLIANT", "kept": "COMPLIANT"}))]
    (verdict,) = evaluate(fw, evidence).config.controls
    assert (verdict.config, verdict.disagrees, verdict.conflicts) == (C.NON_COMPLIANT, False, ())
    assert verdict.reason == "AWS Config says NON_COMPLIANT from v (S3_BUCKET_VERSIONING_ENABLED), in line with our verdict (fail)."


def test_resources_are_compared_only_between_equivalent_rules_and_checks() -> None:
    # Config's public-read rule passes the bucket; our versioning check fails it: a different property,
    # so no resource conflict, but the control-level verdicts still disagree.
    fw = framework(control("C1", VERSIONING, NOT_PUBLIC, rules=("S3_BUCKET_PUBLIC_READ_PROHIBITED",)))
    evidence = [*buckets(bucket("public", versioned=False)),
                rules(config_rule("p", "S3_BUCKET_PUBLIC_READ_PROHIBITED", "COMPLIANT", {"public": "COMPLIANT"}))]
    (verdict,) = evaluate(fw, evidence).config.controls
    assert verdict.conflicts == () and verdict.disagrees
    assert verdict.reason.startswith("AWS Config finds p (S3_BUCKET_PUBLIC_READ_PROHIBITED) compliant")


def test_secondary_checks_are_compared_too() -> None:
    secondary = CheckRef(id="s3.bucket_versioning_enabled", role=Role.SECONDARY)
    fw = framework(control("C1", NOT_PUBLIC, secondary, rules=("S3_BUCKET_VERSIONING_ENABLED",)))
    evidence = [*buckets(bucket("private", versioned=False)),
                rules(config_rule("v", "S3_BUCKET_VERSIONING_ENABLED", "COMPLIANT", {"private": "COMPLIANT"}))]
    (verdict,) = evaluate(fw, evidence).config.controls
    assert verdict.ours == "pass" and verdict.disagrees
    assert [c.resource for c in verdict.conflicts] == ["arn:aws:s3:::private"]


def test_rules_not_deployed() -> None:
    fw = framework(control("C1", VERSIONING, rules=("S3_BUCKET_LOGGING_ENABLED", "S3_BUCKET_REPLICATION_ENABLED")),
                   control("C2", VERSIONING, rules=()))
    evidence = [*buckets(bucket("public", versioned=False)),
                rules(config_rule("v", "S3_BUCKET_VERSIONING_ENABLED", "COMPLIANT", {"public": "COMPLIANT"}))]
    result = evaluate(fw, evidence)
    (verdict,) = result.config.controls  # C2 lists no Config rule: nothing to compare
    assert (verdict.config, verdict.disagrees, verdict.rules) == (C.NOT_DEPLOYED, False, ())
    assert verdict.reason == "None of the 2 AWS Config managed rule(s) mapped to this control is deployed."
    assert [r.name for r in result.config.rules] == ["v"]  # still listed with its verdict


def test_a_gap_in_one_region_leaves_no_verdict_unless_non_compliant() -> None:
    denied = Evidence(key="config.rules", account_id=ACCOUNT, region="us-east-1", collected_at=snapshot("x", 0).collected_at,
                      tool_version="test", error=EvidenceError(code="AccessDeniedException", message="denied"))
    fw = framework(control("C1", VERSIONING, rules=("S3_BUCKET_VERSIONING_ENABLED",)))
    compliant = rules(config_rule("v", "S3_BUCKET_VERSIONING_ENABLED", "COMPLIANT", {"kept": "COMPLIANT"}))
    result = evaluate(fw, [*buckets(bucket("kept", versioned=True)), compliant, denied])
    (verdict,) = result.config.controls
    assert (verdict.config, verdict.disagrees) == (C.NOT_COLLECTED, False)
    assert f"could not be read in {ACCOUNT}/us-east-1" in verdict.reason
    assert [g.code for g in result.config.gaps] == ["AccessDeniedException"]
    failing = rules(config_rule("v", "S3_BUCKET_VERSIONING_ENABLED", "NON_COMPLIANT", {"kept": "NON_COMPLIANT"}))
    (verdict,) = evaluate(fw, [*buckets(bucket("kept", versioned=True)), failing, denied]).config.controls
    assert (verdict.config, verdict.disagrees) == (C.NON_COMPLIANT, True)


def test_config_not_collected_at_all() -> None:
    fw = framework(control("C1", VERSIONING, rules=("S3_BUCKET_VERSIONING_ENABLED",)))
    (verdict,) = evaluate(fw, buckets(bucket("kept", versioned=True))).config.controls
    assert (verdict.config, verdict.disagrees) == (C.NOT_COLLECTED, False)


def test_custom_rules_and_unknown_packs_are_listed() -> None:
    custom = config_rule("tags-required", "arn:aws:lambda:eu-west-1:1:function:f", "NON_COMPLIANT",
                         {"public": "NON_COMPLIANT"}, owner="CUSTOM_LAMBDA")
    in_pack = config_rule("v-conformance-pack-abc", "S3_BUCKET_VERSIONING_ENABLED", "INSUFFICIENT_DATA", {})
    pack = {"ConformancePackName": "house-rules", "Status": {"ConformancePackState": "CREATE_COMPLETE"},
            "ComplianceSummary": {"ConformancePackComplianceStatus": "INSUFFICIENT_DATA"},
            "RuleCompliance": [{"ConfigRuleName": "v-conformance-pack-abc", "ComplianceType": "INSUFFICIENT_DATA"}],
            "errors": {}}
    evidence = [rules(custom, in_pack), snapshot("config.conformance_packs", [pack], region="eu-west-1")]
    fw = framework(control("C1", VERSIONING, rules=("S3_BUCKET_VERSIONING_ENABLED",)))
    result = evaluate(fw, [*buckets(bucket("kept", versioned=True)), *evidence])
    listed = {r.name: (r.source, r.managed, r.compliance, r.non_compliant, r.conformance_pack) for r in result.config.rules}
    assert listed == {
        "tags-required": ("custom Lambda rule", False, C.NON_COMPLIANT, 1, None),
        "v-conformance-pack-abc": ("S3_BUCKET_VERSIONING_ENABLED", True, C.INSUFFICIENT_DATA, 0, "house-rules"),
    }
    (pack_verdict,) = result.config.packs
    assert (pack_verdict.name, pack_verdict.state, pack_verdict.compliance, pack_verdict.rules) == (
        "house-rules", "CREATE_COMPLETE", C.INSUFFICIENT_DATA, ("v-conformance-pack-abc",))
    (verdict,) = result.config.controls
    assert verdict.config is C.INSUFFICIENT_DATA and not verdict.disagrees


def test_other_accounts_resources_are_not_compared() -> None:
    fw = framework(control("C1", VERSIONING, rules=("S3_BUCKET_VERSIONING_ENABLED",)))
    other = snapshot("config.rules", [config_rule("v", "S3_BUCKET_VERSIONING_ENABLED", "COMPLIANT", {"public": "COMPLIANT"})],
                     account="444455556666", region="eu-west-1")
    (verdict,) = evaluate(fw, [*buckets(bucket("public", versioned=False)), other]).config.controls
    assert verdict.conflicts == ()


def test_packs_written_before_the_cross_check_still_load() -> None:
    result = evaluate(framework(control("C1", VERSIONING, rules=())), buckets(bucket("kept", versioned=True)))
    old = result.model_dump(mode="json")
    del old["config"]
    assert FrameworkResult.model_validate(old).config.controls == ()


@pytest.mark.parametrize(
    ("values", "gap", "expected"),
    [
        ([C.COMPLIANT, C.NON_COMPLIANT], True, C.NON_COMPLIANT),
        ([C.COMPLIANT], True, C.NOT_COLLECTED),
        ([C.INSUFFICIENT_DATA, C.COMPLIANT], False, C.COMPLIANT),
        ([C.NOT_APPLICABLE, C.INSUFFICIENT_DATA], False, C.INSUFFICIENT_DATA),
        ([C.NOT_APPLICABLE], False, C.NOT_APPLICABLE),
        ([], False, C.NOT_DEPLOYED),
    ],
)
def test_combine(values: list[ConfigCompliance], gap: bool, expected: ConfigCompliance) -> None:
    assert combine(values, gap=gap) is expected


@pytest.mark.parametrize(
    ("resource_type", "resource_id", "arn"),
    [
        ("AWS::S3::Bucket", "logs", "arn:aws:s3:::logs"),
        ("AWS::::Account", ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root"),
        ("AWS::CloudTrail::Trail", "main", f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/main"),
        ("AWS::EC2::SecurityGroup", "sg-1", f"arn:aws:ec2:eu-west-1:{ACCOUNT}:security-group/sg-1"),
        ("AWS::SNS::Topic", "arn:aws:sns:eu-west-1:1:t", "arn:aws:sns:eu-west-1:1:t"),
        ("AWS::IAM::User", "AIDAEXAMPLE", "AWS::IAM::User/AIDAEXAMPLE"),
    ],
)
def test_evaluation_resource(resource_type: str, resource_id: str, arn: str) -> None:
    assert evaluation_resource(ACCOUNT, "eu-west-1", resource_type, resource_id) == arn


# --------------------------------------------------------------------------- the demo pack


def test_demo_pack_flags_the_one_seeded_disagreement(demo_pack: Path) -> None:
    from evidence.demo.scenario import ACCOUNT, PUBLIC_BUCKET
    from evidence.demo.seeds.config import CUSTOM_RULE, PACK

    pack = Pack.model_validate_json((demo_pack / "pack.json").read_text())
    conflicts = {(c.resource, c.check, c.config, c.ours) for fw in pack.frameworks for v in fw.config.controls
                 for c in v.conflicts}
    assert conflicts == {(f"arn:aws:s3:::{PUBLIC_BUCKET}", "s3.bucket_versioning_enabled", C.COMPLIANT, Status.FAIL)}
    for fw in pack.frameworks:
        flagged = [v for v in fw.config.controls if v.conflicts]
        assert flagged and all(v.disagrees for v in flagged), fw.id
        assert {(p.name, p.account, p.compliance) for p in fw.config.packs} == {(PACK, ACCOUNT, C.NON_COMPLIANT)}
        custom = next(r for r in fw.config.rules if r.name == CUSTOM_RULE)
        assert (custom.managed, custom.compliance, custom.conformance_pack) == (False, C.NON_COMPLIANT, None)
        assert {r.conformance_pack for r in fw.config.rules if r.managed} == {PACK}



def test_demo_reports_show_configs_verdict_and_the_disagreement(demo_pack: Path) -> None:
    from evidence.demo.scenario import PUBLIC_BUCKET

    pack = Pack.model_validate_json((demo_pack / "pack.json").read_text())
    soc2 = next(fw for fw in pack.frameworks if fw.id == "soc2")
    flagged = {v.control for v in soc2.config.controls if v.disagrees}
    sheet = list(load_workbook(demo_pack / "soc2.xlsx", read_only=True)["Config cross-check"].values)
    rows = [dict(zip(sheet[0], row, strict=True)) for row in sheet[1:]]
    assert [r["Control"] for r in rows] == [v.control for v in soc2.config.controls]
    assert {r["Control"] for r in rows if r["Disagrees"] == "yes"} == flagged
    assert all(f"arn:aws:s3:::{PUBLIC_BUCKET}" in r["Resources judged oppositely"] for r in rows
               if r["Control"] in flagged and r["Resources judged oppositely"])
    rules = list(load_workbook(demo_pack / "soc2.xlsx", read_only=True)["Config rules"].values)
    assert len(rules) - 1 == len(soc2.config.rules)
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(demo_pack / "soc2.pdf").pages)
    assert text.count("(disagrees with ours)") == len(flagged)
    assert "AWS Config's verdict: NOT_DEPLOYED" in text


def test_demo_checks_outside_the_frameworks(demo_pack: Path) -> None:
    """Checks without a catalogue concept are in no shipped framework (overlays add them): judge the
    demo's evidence with them directly."""
    from evidence.demo.scenario import ACCOUNT, DATA_BUCKET, PUBLIC_BUCKET
    from evidence.demo.seeds.config import CUSTOM_RULE, PACK_RULES

    evidence, _ = store.read_evidence(demo_pack)
    index = EvidenceIndex(evidence)

    def findings(check_id: str) -> list[tuple[str, str, str]]:
        result = run_check(registry.get_check(check_id), {}, index, check_id)
        return sorted((f.account, f.resource, f.status.value) for f in result.findings)

    public, data = f"arn:aws:s3:::{PUBLIC_BUCKET}", f"arn:aws:s3:::{DATA_BUCKET}"
    expected = [(ACCOUNT, f"arn:aws:s3:::{bucket}", "pass" if kind == "COMPLIANT" else "fail")
                for _, verdicts in PACK_RULES.values() for bucket, kind in verdicts.items()]
    expected += [(ACCOUNT, data, "pass"), (ACCOUNT, public, "fail")]  # the custom rule
    assert findings("config.rules_compliant") == sorted(expected), CUSTOM_RULE
    members = [a for a in store.read_collection(demo_pack).scope.accounts if a != ACCOUNT]
    assert findings("config.conformance_pack_deployed") == sorted(
        [(ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root", "pass")] + [(m, f"arn:aws:iam::{m}:root", "fail") for m in members])
    assert findings("securityhub.no_active_high_findings") == [(ACCOUNT, public, "fail")]
    assert findings("accessanalyzer.no_active_external_access") == [(ACCOUNT, public, "fail")]
