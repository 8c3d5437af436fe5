"""Systems Manager: two managed workers (one fully patched, one missing security updates), a kiosk
instance the agent never registered, and two runbooks (one shared publicly by mistake)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from evidence.demo.scenario import ACCOUNT, HOME, Clients, expect, seeder

IMAGE = "ami-12345678"
RUNBOOK = {"schemaVersion": "2.2", "description": "Collect diagnostics", "mainSteps": [
    {"action": "aws:runShellScript", "name": "collect", "inputs": {"runCommand": ["uptime"]}}]}
MISSING = [("KB5034441", "CRITICAL"), ("KB5034439", "HIGH"), ("KB5034122", "HIGH")]


def _instance(ec2: Any, name: str, profile: str | None) -> str:
    extra: dict[str, Any] = {"IamInstanceProfile": {"Name": profile}} if profile else {}
    return str(ec2.run_instances(
        ImageId=IMAGE, MinCount=1, MaxCount=1, InstanceType="t3.small",
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}]}], **extra,
    )["Instances"][0]["InstanceId"])


def _report_patches(ssm: Any, instance: str, missing: list[tuple[str, str]]) -> None:
    installed = [{"Id": "KB5033118", "Title": "2023-12 Cumulative Update", "Severity": "CRITICAL",
                  "Status": "COMPLIANT", "Details": {"Classification": "SecurityUpdates", "PatchState": "Installed"}}]
    absent = [{"Id": kb, "Title": f"Security update {kb}", "Severity": severity, "Status": "NON_COMPLIANT",
               "Details": {"Classification": "SecurityUpdates", "PatchState": "Missing"}} for kb, severity in missing]
    ssm.put_compliance_items(
        ResourceId=instance, ResourceType="ManagedInstance", ComplianceType="Patch",
        ExecutionSummary={"ExecutionTime": datetime.now(UTC) - timedelta(hours=6), "ExecutionType": "Command"},
        Items=installed + absent,
    )


def _arn(instance: str) -> str:
    return f"arn:aws:ec2:{HOME}:{ACCOUNT}:instance/{instance}"


@seeder
def seed_ssm(aws: Clients) -> None:
    iam = aws("iam")
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    iam.create_role(RoleName="ssm-managed-instance", AssumeRolePolicyDocument=json.dumps(trust))
    iam.create_instance_profile(InstanceProfileName="ssm-managed-instance")
    iam.add_role_to_instance_profile(InstanceProfileName="ssm-managed-instance", RoleName="ssm-managed-instance")

    ec2, ssm = aws("ec2", HOME), aws("ssm", HOME)
    payments = _instance(ec2, "payments-worker", "ssm-managed-instance")
    batch = _instance(ec2, "batch-worker", "ssm-managed-instance")
    kiosk = _instance(ec2, "lobby-kiosk", None)
    _report_patches(ssm, payments, [])
    _report_patches(ssm, batch, MISSING)
    expect("ssm.instances_managed", _arn(payments), "pass")
    expect("ssm.instances_managed", _arn(kiosk), "fail")
    expect("ssm.patch_compliance", _arn(payments), "pass")
    expect("ssm.patch_compliance", _arn(batch), "fail")

    for name, shared in (("collect-diagnostics", False), ("debug-collector", True)):
        ssm.create_document(Name=name, DocumentType="Command", DocumentFormat="JSON", Content=json.dumps(RUNBOOK))
        if shared:
            ssm.modify_document_permission(Name=name, PermissionType="Share", AccountIdsToAdd=["all"])
        document = f"arn:aws:ssm:{HOME}:{ACCOUNT}:document/{name}"
        expect("ssm.documents_not_public", document, "fail" if shared else "pass")
