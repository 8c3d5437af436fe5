"""AWS Config: a recorder in the other region only, a storage conformance pack judging that region's
buckets, and a custom rule. Config's versioning rule deliberately calls the public bucket compliant,
which our own versioning check fails: the one disagreement the cross-check must flag."""

from __future__ import annotations

import io
import json
import zipfile

from evidence.demo.scenario import (
    ACCOUNT,
    DATA_BUCKET,
    HOME,
    LOG_BUCKET,
    OTHER,
    PUBLIC_BUCKET,
    Clients,
    account_arn,
    expect,
    seeder,
)

PACK = "operational-best-practices-storage"
# Rule name -> (managed rule, the compliance AWS Config reports per bucket of the region).
PACK_RULES: dict[str, tuple[str, dict[str, str]]] = {
    "s3-bucket-versioning-enabled": ("S3_BUCKET_VERSIONING_ENABLED",
                                     {PUBLIC_BUCKET: "COMPLIANT", DATA_BUCKET: "COMPLIANT"}),
    "s3-bucket-public-read-prohibited": ("S3_BUCKET_PUBLIC_READ_PROHIBITED",
                                         {PUBLIC_BUCKET: "NON_COMPLIANT", DATA_BUCKET: "COMPLIANT"}),
    "s3-bucket-logging-enabled": ("S3_BUCKET_LOGGING_ENABLED",
                                  {PUBLIC_BUCKET: "NON_COMPLIANT", DATA_BUCKET: "NON_COMPLIANT"}),
}
CUSTOM_RULE = "required-data-classification-tag"


def recorder_arn(region: str, name: str | None = None) -> str:
    base = f"arn:aws:config:{region}:{ACCOUNT}:configuration-recorder"
    return f"{base}/{name}" if name else base


def _template() -> str:
    resources = {
        "".join(part.title() for part in name.split("-")): {"Type": "AWS::Config::ConfigRule", "Properties": {
            "ConfigRuleName": name,
            "Source": {"Owner": "AWS", "SourceIdentifier": identifier},
            "Scope": {"ComplianceResourceTypes": ["AWS::S3::Bucket"]},
        }}
        for name, (identifier, _) in PACK_RULES.items()
    }
    return json.dumps({"Resources": resources})


def _custom_rule(aws: Clients) -> None:
    """A custom Lambda rule: the tool knows nothing of it, and still reports its verdicts."""
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return None\n")
    role = aws("iam").create_role(RoleName="config-rule-evaluator", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                       "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    function = aws("lambda", OTHER).create_function(
        FunctionName=CUSTOM_RULE, Runtime="python3.12", Role=role, Handler="index.handler",
        Code={"ZipFile": code.getvalue()})["FunctionArn"]
    aws("config", OTHER).put_config_rule(ConfigRule={
        "ConfigRuleName": CUSTOM_RULE,
        "Source": {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": function, "SourceDetails": [
            {"EventSource": "aws.config", "MessageType": "ConfigurationItemChangeNotification"}]},
        "Scope": {"ComplianceResourceTypes": ["AWS::S3::Bucket"]},
    })
    aws.emulator.put_config_evaluations(ACCOUNT, OTHER, CUSTOM_RULE, [
        ("AWS::S3::Bucket", DATA_BUCKET, "COMPLIANT"), ("AWS::S3::Bucket", PUBLIC_BUCKET, "NON_COMPLIANT")])


@seeder
def seed_config(aws: Clients) -> None:
    config = aws("config", OTHER)
    config.put_configuration_recorder(ConfigurationRecorder={
        "name": "default",
        "roleARN": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
        "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
    })
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": LOG_BUCKET,
                                                 "s3KeyPrefix": "config"})
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    expect("config.recorder_all_regions", recorder_arn(OTHER, "default"), "pass")
    expect("config.recorder_all_regions", recorder_arn(HOME), "fail")
    expect("config.recorder_all_regions", account_arn(), "pass")  # global types recorded in OTHER

    config.put_conformance_pack(ConformancePackName=PACK, TemplateBody=_template())
    deployed = config.describe_conformance_pack_compliance(ConformancePackName=PACK)
    names = {r["ConfigRuleName"] for r in deployed["ConformancePackRuleComplianceList"]}
    by_source = {r["Source"]["SourceIdentifier"]: r["ConfigRuleName"]
                 for r in config.describe_config_rules(ConfigRuleNames=sorted(names))["ConfigRules"]}
    for identifier, verdicts in PACK_RULES.values():
        aws.emulator.put_config_evaluations(ACCOUNT, OTHER, by_source[identifier], [
            ("AWS::S3::Bucket", bucket, compliance) for bucket, compliance in verdicts.items()])
    _custom_rule(aws)
