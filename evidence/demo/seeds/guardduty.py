"""GuardDuty: a detector in the other region with an open high-severity finding, none at home; the
production member account runs a quiet detector."""

from __future__ import annotations

from evidence.demo.scenario import ACCOUNT, HOME, MEMBERS, OTHER, Clients, expect, organization_seeder, seeder


def detector_arn(account: str, region: str, detector_id: str | None = None) -> str:
    base = f"arn:aws:guardduty:{region}:{account}:detector"
    return f"{base}/{detector_id}" if detector_id else base


@seeder
def seed_guardduty(aws: Clients) -> None:
    detector = aws("guardduty", OTHER).create_detector(Enable=True)["DetectorId"]
    finding = aws.emulator.put_guardduty_finding(
        ACCOUNT, OTHER, detector, severity=8.0, finding_type="Backdoor:EC2/C&CActivity.B!DNS",
        resource={"ResourceType": "Instance", "InstanceDetails": {"InstanceId": "i-0demo0c2c0ffee01"}},
        title="EC2 instance i-0demo0c2c0ffee01 is querying a domain associated with a known C&C server.",
    )
    expect("guardduty.enabled_all_regions", detector_arn(ACCOUNT, OTHER, detector), "pass")
    expect("guardduty.enabled_all_regions", detector_arn(ACCOUNT, HOME), "fail")
    expect("guardduty.no_unresolved_high_findings",
           f"{detector_arn(ACCOUNT, OTHER, detector)}/finding/{finding}", "fail")


@organization_seeder
def seed_member_guardduty(aws: Clients) -> None:
    production = MEMBERS["production"]
    member = Clients(aws.emulator, production)
    detector = member("guardduty", HOME).create_detector(Enable=True)["DetectorId"]
    expect("guardduty.enabled_all_regions", detector_arn(production, HOME, detector), "pass")
    expect("guardduty.no_unresolved_high_findings", detector_arn(production, HOME, detector), "pass")
