"""A small, hand-built Pack with a control of every status and hostile text in the findings."""

from __future__ import annotations

from datetime import UTC, datetime

from evidence.models import (
    CheckResult,
    CollectionInfo,
    ControlCheck,
    ControlResult,
    EvidenceError,
    EvidenceRef,
    EvidenceType,
    Finding,
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

ACCOUNTS = ("111111111111", "222222222222")
REGIONS = ("eu-west-1", "us-east-1")
COLLECTED = datetime(2025, 3, 31, 17, 45, 12, tzinfo=UTC)
PACK_ID = "9f" * 32

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x","y")'
LONG_ARN = "arn:aws:iam::111111111111:role/" + "very-long-role-name-" * 15 + "end"
UNICODE = "arn:aws:s3:::bücket-ελληνικά-данные-ünïcödé"
CONTROL_CHARS = "arn:aws:s3:::bad\x07name\x1b[31m\u202eevil"
HOSTILE = (SCRIPT, FORMULA, LONG_ARN, UNICODE, CONTROL_CHARS)


def _finding(check: str, resource: str, status: Status, reason: str, *, account: str = ACCOUNTS[0],
             region: str = REGIONS[0], severity: Severity = Severity.MEDIUM) -> Finding:
    return Finding(check=check, resource=resource, account=account, region=region, status=status, reason=reason,
                   severity=severity)


def _refs(key: str, api: str, *, error_at: tuple[str, str] | None = None) -> tuple[EvidenceRef, ...]:
    refs = []
    for n, (account, region) in enumerate((a, r) for a in ACCOUNTS for r in REGIONS):
        err = EvidenceError(code="AccessDenied", message=f"not allowed to call {api}") \
            if (account, region) == error_at else None
        refs.append(EvidenceRef(path=f"evidence/{account}/{region}/{key}.json", key=key, account_id=account,
                                region=region, collected_at=COLLECTED, api_calls=(api,),
                                sha256=f"{n:x}{key}".encode().hex()[:64].ljust(64, "0"), error=err))
    return tuple(refs)


def _paths(refs: tuple[EvidenceRef, ...]) -> tuple[str, ...]:
    return tuple(r.path for r in refs)


def build_pack() -> Pack:
    users = _refs("iam.users", "iam:ListUsers")
    buckets = _refs("s3.buckets", "s3:ListBuckets")
    trails = _refs("cloudtrail.trails", "cloudtrail:DescribeTrails", error_at=(ACCOUNTS[1], REGIONS[0]))
    dbs = _refs("rds.instances", "rds:DescribeDBInstances")
    policy = _refs("iam.password_policy", "iam:GetAccountPasswordPolicy")
    gap = Gap(key="cloudtrail.trails", account_id=ACCOUNTS[1], region=REGIONS[0], code="AccessDenied",
              message="not allowed to call cloudtrail:DescribeTrails")

    mfa_findings = tuple(
        _finding("iam.mfa", resource, Status.FAIL, f"Hostile name {i}: no MFA device.", severity=Severity.HIGH)
        for i, resource in enumerate(HOSTILE)
    ) + tuple(
        _finding("iam.mfa", f"arn:aws:iam::111111111111:user/user-{i:02d}", Status.FAIL,
                 f"User user-{i:02d} has a console password and no MFA device.", severity=Severity.HIGH)
        for i in range(12)
    ) + (
        _finding("iam.mfa", "arn:aws:iam::222222222222:user/alice", Status.PASS, "MFA device attached.",
                 account=ACCOUNTS[1], severity=Severity.HIGH),
    )
    s3_findings = (
        _finding("s3.encrypted", "arn:aws:s3:::logs-bucket", Status.PASS, "Default encryption SSE-KMS."),
        _finding("s3.encrypted", "arn:aws:s3:::data-bucket", Status.PASS, "Default encryption SSE-S3.",
                 region=REGIONS[1]),
    )
    pw_findings = (
        _finding("iam.password_policy", FORMULA, Status.FAIL, "+cmd|' /C calc'!A0 minimum length is 8, below 14.",
                 severity=Severity.MEDIUM),
    )
    checks = (
        CheckResult(check="cloudtrail.enabled", key="cloudtrail.enabled", title="CloudTrail is enabled in every region",
                    severity=Severity.CRITICAL, status=Status.NOT_EVALUATED, gaps=(gap,), evidence=_paths(trails)),
        CheckResult(check="iam.mfa", key="iam.mfa", title="Console users have MFA", severity=Severity.HIGH,
                    status=Status.FAIL, findings=mfa_findings, evidence=_paths(users)),
        CheckResult(check="iam.password_policy", key="iam.password_policy[min_length=14]",
                    title="Password policy meets the minimum length", severity=Severity.MEDIUM,
                    params={"min_length": 14}, status=Status.FAIL, findings=pw_findings, evidence=_paths(policy)),
        CheckResult(check="rds.encrypted", key="rds.encrypted", title="RDS storage is encrypted",
                    severity=Severity.LOW, status=Status.NOT_APPLICABLE, evidence=_paths(dbs)),
        CheckResult(check="s3.encrypted", key="s3.encrypted", title="S3 buckets encrypt by default",
                    severity=Severity.MEDIUM, status=Status.PASS, findings=s3_findings, evidence=_paths(buckets)),
    )
    by_key = {c.key: c for c in checks}

    def control(cid: str, title: str, section: str, status: Status, reason: str,
                refs: tuple[tuple[str, Role], ...] = (), *, evidence: EvidenceType | None = None,
                config_rules: tuple[str, ...] = (), manual_evidence: str | None = None, inherited: bool = False,
                implementation: str | None = None) -> ControlResult:
        ccs = tuple(ControlCheck(key=k, check=by_key[k].check, role=role, status=by_key[k].status) for k, role in refs)
        failed = sum(1 for k, role in refs if role is Role.PRIMARY
                     for f in by_key[k].findings if f.status is Status.FAIL)
        kind = evidence or (EvidenceType.AUTOMATED if refs else EvidenceType.MANUAL)
        return ControlResult(id=cid, title=title, section=section, evidence=kind, status=status, reason=reason,
                             checks=ccs, config_rules=config_rules, manual_evidence=manual_evidence,
                             inherited=inherited, implementation=implementation, failed_resources=failed)

    controls = (
        control("AC-1", "Console users authenticate with MFA", "AC", Status.FAIL, "1 of 1 primary checks failed.",
                (("iam.mfa", Role.PRIMARY),), config_rules=("MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS",),
                implementation="required"),
        control("AC-2", "Data at rest is encrypted <b>everywhere</b>", "AC", Status.PASS, "All 1 primary checks passed.",
                (("s3.encrypted", Role.PRIMARY), ("iam.mfa", Role.SECONDARY)), implementation="addressable"),
        control("AC-3", "Passwords are long enough", "AC", Status.EXCEPTED, "Failure covered by exception EX-1.",
                (("iam.password_policy[min_length=14]", Role.PRIMARY),)),
        control("AC-4", "Privileged users authenticate with MFA", "AC", Status.FAIL, "1 of 1 primary checks failed.",
                (("iam.mfa", Role.PRIMARY),)),
        control("AU-1", "Audit logging is on in every region", "AU", Status.NOT_EVALUATED,
                "1 of 1 primary checks could not be evaluated: evidence is missing (see Gaps).",
                (("cloudtrail.enabled", Role.PRIMARY),), evidence=EvidenceType.HYBRID,
                manual_evidence="Log review procedure and the last quarter's review records."),
        control("AU-2", "Database storage is encrypted", "AU", Status.NOT_APPLICABLE,
                "No resource in scope for the primary checks.", (("rds.encrypted", Role.PRIMARY),)),
        control("PL-1", "An information security policy is approved", "PL", Status.MANUAL,
                "No automated check decides this control.", manual_evidence="The approved policy and its review date."),
        control("PE-1", "Data centres are physically secured", "PL", Status.MANUAL,
                "No automated check decides this control.", inherited=True,
                manual_evidence="AWS SOC 2 report from AWS Artifact."),
    )
    framework = FrameworkResult(
        id="testfw", name="Test Framework", version="1.0", source="https://example.org/testfw",
        sections=(Section(id="AC", title="Access control"), Section(id="AU", title="Audit and accountability"),
                  Section(id="PL", title="Planning")),
        controls=controls, checks=checks,
    )
    other = FrameworkResult(id="other", name="Other", version="2", source="x", controls=(controls[0],),
                            checks=(by_key["iam.mfa"],))
    all_findings = tuple(f for c in checks for f in c.findings)
    return Pack(
        pack_id=PACK_ID,
        tool_version="0.1.0",
        evaluated_at=datetime(2025, 4, 2, 9, 0, tzinfo=UTC),
        collection=CollectionInfo(
            tool_version="0.1.0",
            scope=Scope(accounts=ACCOUNTS, regions=REGIONS, organization_id="o-abc123"),
            period=Period(start=datetime(2025, 1, 1, tzinfo=UTC), end=datetime(2025, 3, 31, tzinfo=UTC)),
            started_at=datetime(2025, 3, 31, 17, 40, tzinfo=UTC),
            finished_at=COLLECTED,
            identity_arn="arn:aws:iam::111111111111:role/EvidenceCollector",
        ),
        evidence=users + buckets + trails + dbs + policy,
        gaps=(gap,),
        findings=all_findings,
        frameworks=(framework, other),
    )
