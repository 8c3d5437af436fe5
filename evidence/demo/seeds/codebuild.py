"""CodeBuild: a storefront build that takes its secrets from Parameter Store; a legacy deploy job with
a database password typed into its plaintext environment."""

from __future__ import annotations

from evidence.demo.scenario import ACCOUNT, HOME, OTHER, Clients, expect, seeder

ROLE = f"arn:aws:iam::{ACCOUNT}:role/service-role/codebuild-demo"
IMAGE = "aws/codebuild/standard:7.0"


def _environment(*variables: dict[str, str]) -> dict[str, object]:
    return {"type": "LINUX_CONTAINER", "image": IMAGE, "computeType": "BUILD_GENERAL1_SMALL",
            "environmentVariables": list(variables)}


@seeder
def seed_codebuild(aws: Clients) -> None:
    good = aws("codebuild", HOME).create_project(
        name="storefront-build", serviceRole=ROLE, artifacts={"type": "NO_ARTIFACTS"},
        source={"type": "GITHUB", "location": "https://github.com/example/storefront.git"},
        environment=_environment(
            {"name": "STAGE", "value": "production", "type": "PLAINTEXT"},
            {"name": "DB_PASSWORD", "value": "/storefront/db-password", "type": "PARAMETER_STORE"},
        ),
    )["project"]["arn"]
    bad = aws("codebuild", OTHER).create_project(
        name="legacy-deploy", serviceRole=ROLE, artifacts={"type": "NO_ARTIFACTS"},
        source={"type": "GITHUB", "location": "https://github.com/example/legacy.git"},
        environment=_environment({"name": "DB_PASSWORD", "value": "demo-not-a-real-password", "type": "PLAINTEXT"}),
    )["project"]["arn"]
    expect("secrets.no_plaintext_credentials_in_config", good, "pass")
    expect("secrets.no_plaintext_credentials_in_config", bad, "fail")
