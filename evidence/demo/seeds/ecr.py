"""ECR: an application repository that scans on push and a base-image mirror that does not."""

from __future__ import annotations

from evidence.demo.scenario import HOME, Clients, expect, seeder


@seeder
def seed_ecr(aws: Clients) -> None:
    ecr = aws("ecr", HOME)
    app = ecr.create_repository(repositoryName="storefront-api", imageScanningConfiguration={"scanOnPush": True})
    mirror = ecr.create_repository(repositoryName="base-images", imageScanningConfiguration={"scanOnPush": False})
    expect("ecr.image_scan_on_push", app["repository"]["repositoryArn"], "pass")
    expect("ecr.image_scan_on_push", mirror["repository"]["repositoryArn"], "fail")
