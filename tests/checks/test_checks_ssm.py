"""Systems Manager checks: unmanaged instances, unpatched instances and public documents fail."""

from __future__ import annotations

from typing import Any

from helpers import run, snapshot, verdicts

ACCOUNT = "111122223333"
REGION = "us-east-1"


def arn(instance_id: str) -> str:
    return f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{instance_id}"


def reservations(*states: tuple[str, str]) -> Any:
    return snapshot("ec2.instances", [{"OwnerId": ACCOUNT, "Instances": [
        {"InstanceId": i, "State": {"Name": s}} for i, s in states]}], region=REGION, account=ACCOUNT)


def managed(*pings: tuple[str, str], region: str = REGION) -> Any:
    return snapshot("ssm.managed_instances", [
        {"InstanceId": i, "PingStatus": p, "ResourceType": "ManagedInstance" if i.startswith("mi-") else "EC2Instance"}
        for i, p in pings], region=region, account=ACCOUNT)


def test_instances_managed() -> None:
    ec2 = reservations(("i-online", "running"), ("i-lost", "running"), ("i-none", "running"), ("i-off", "stopped"))
    result = run("ssm.instances_managed", [ec2, managed(("i-online", "Online"), ("i-lost", "ConnectionLost"))])
    assert verdicts(result) == {arn("i-online"): "pass", arn("i-lost"): "fail", arn("i-none"): "fail"}
    elsewhere = run("ssm.instances_managed", [ec2, managed(("i-online", "Online"), region="eu-west-1")])
    assert verdicts(elsewhere)[arn("i-online")] == "not_evaluated"


def summary(resource: str, status: str, high: int = 0) -> dict[str, Any]:
    return {"ResourceId": resource, "ComplianceType": "Patch", "Status": status,
            "NonCompliantSummary": {"NonCompliantCount": high, "SeveritySummary": {"HighCount": high}}}


def test_patch_compliance() -> None:
    fleet = managed(("i-patched", "Online"), ("i-behind", "Online"), ("i-silent", "Online"), ("mi-0abc", "Online"))
    report = snapshot("ssm.patch_compliance", [summary("i-patched", "COMPLIANT"), summary("i-behind", "NON_COMPLIANT", 3),
                                               summary("mi-0abc", "COMPLIANT")], region=REGION, account=ACCOUNT)
    result = run("ssm.patch_compliance", [fleet, report])
    assert verdicts(result) == {
        arn("i-patched"): "pass", arn("i-behind"): "fail", arn("i-silent"): "fail",
        f"arn:aws:ssm:{REGION}:{ACCOUNT}:managed-instance/mi-0abc": "pass",
    }
    behind = next(f for f in result.findings if f.resource == arn("i-behind"))
    assert "3 patch(es) (3 high)" in behind.reason


def test_documents_not_public() -> None:
    result = run("ssm.documents_not_public", [snapshot("ssm.documents", [
        {"Name": "public-runbook", "SharedWith": ["all"], "errors": {}},
        {"Name": "partner-runbook", "SharedWith": ["444455556666"], "errors": {}},
        {"Name": "private-runbook", "SharedWith": [], "errors": {}},
        {"Name": "unread", "errors": {"SharedWith": "AccessDeniedException"}},
    ], region=REGION, account=ACCOUNT)])
    doc = f"arn:aws:ssm:{REGION}:{ACCOUNT}:document/"
    assert verdicts(result) == {doc + "public-runbook": "fail", doc + "partner-runbook": "pass",
                                doc + "private-runbook": "pass", doc + "unread": "not_evaluated"}
