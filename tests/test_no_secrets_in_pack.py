"""No secret value planted in the account reaches any file of the evidence pack.

Secret values are planted where collectors look (Secrets Manager, an SSM SecureString, Lambda and
CodeBuild environment variables, an ECS container environment, a repository URL), in an account of
their own so the demo account is left as it is. A pack is then collected and evaluated (snapshots,
pack.json, manifest) and every file is searched. Reports are not rendered: renderers read only the
Pack value, which pack.json holds and this search covers.
"""

from __future__ import annotations

import io
import json
import secrets
import zipfile
from pathlib import Path
from typing import Any

import boto3
import pytest

from evidence import store
from evidence.demo.emulator import Emulator, emulator_credentials
from evidence.demo.run import demo_factory
from evidence.frameworks import resolve
from evidence.pipeline import Target, collect_into, evaluate_in, make_period

ACCOUNT = "210987654321"
REGIONS = ("us-east-1", "eu-west-1")
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def canary(kind: str) -> str:
    return f"canary-{kind}-{secrets.token_hex(12)}"


def _planting_session(emulator: Emulator) -> boto3.Session:
    """Writable credentials in ACCOUNT (the tool itself never writes)."""
    sts = boto3.Session(**emulator_credentials()).client("sts", region_name="us-east-1",
                                                          endpoint_url=emulator.endpoint_url)
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/planter", RoleSessionName="plant")["Credentials"]
    return boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                         aws_session_token=creds["SessionToken"])


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return None\n")
    return buffer.getvalue()


def plant(emulator: Emulator, region: str) -> list[str]:
    """Put secret values everywhere a collector reads, in one region; return the values planted."""
    session = _planting_session(emulator)

    def client(service: str) -> Any:
        return session.client(service, region_name=region, endpoint_url=emulator.endpoint_url)

    values = {kind: canary(kind) for kind in ("secretsmanager", "ssm", "lambda", "codebuild", "url", "ecs")}
    client("secretsmanager").create_secret(Name=f"canary/{region}", SecretString=values["secretsmanager"])
    client("ssm").put_parameter(Name=f"/canary/{region}", Type="SecureString", Value=values["ssm"])
    role = client("iam").create_role(RoleName=f"canary-{region}", AssumeRolePolicyDocument=json.dumps(TRUST))
    client("lambda").create_function(
        FunctionName="canary", Runtime="python3.12", Role=role["Role"]["Arn"], Handler="index.handler",
        Code={"ZipFile": _zip_bytes()}, Environment={"Variables": {"DB_PASSWORD": values["lambda"]}},
    )
    client("codebuild").create_project(
        name="canary", serviceRole=role["Role"]["Arn"], artifacts={"type": "NO_ARTIFACTS"},
        source={"type": "GITHUB", "location": f"https://ci:{values['url']}@github.com/example/canary.git"},
        environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                     "computeType": "BUILD_GENERAL1_SMALL",
                     "environmentVariables": [{"name": "DB_PASSWORD", "value": values["codebuild"],
                                               "type": "PLAINTEXT"}]},
    )
    client("ecs").register_task_definition(family="canary", containerDefinitions=[{
        "name": "app", "image": "nginx", "memory": 128,
        "environment": [{"name": "API_TOKEN", "value": values["ecs"]}],
    }])
    return list(values.values())


@pytest.fixture(scope="module")
def planted_pack(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    planted = [value for region in REGIONS for value in plant(emulator, region)]
    factory = demo_factory(emulator).assume(ACCOUNT, "evidence-audit")
    target = Target(factory=factory, regions=REGIONS, period=make_period(None, None))
    dest = tmp_path_factory.mktemp("canary") / "pack"
    with store.collecting_pack(dest) as folder:
        collect_into(folder, target)
        evaluate_in(folder, resolve(["soc2"]))
    return dest, planted


def test_no_planted_value_appears_in_any_file(planted_pack: tuple[Path, list[str]]) -> None:
    pack, planted = planted_pack
    files = sorted(p for p in pack.rglob("*") if p.is_file())
    assert {"manifest.json", "pack.json", "collection.json"} <= {p.name for p in files}
    leaks = [(path.relative_to(pack).as_posix(), value) for path in files
             for value in planted if value.encode() in path.read_bytes()]
    assert not leaks, leaks


def test_the_planted_resources_were_collected(planted_pack: tuple[Path, list[str]]) -> None:
    """The search above means something only if the resources holding the values are in the pack."""
    pack = planted_pack[0]
    evidence = "\n".join(p.read_text() for p in pack.glob("evidence/**/*.json"))
    for marker in ("secret:canary/us-east-1", "secret:canary/eu-west-1", "function:canary", "project/canary",
                   "task-definition/canary:1", "DB_PASSWORD", "API_TOKEN"):
        assert marker in evidence, marker
    assert (pack / "manifest.json").is_file()
