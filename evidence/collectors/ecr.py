"""Amazon ECR: private repositories and the registry's scanning configuration."""

from __future__ import annotations

from evidence.collect import declare

declare("ecr.repositories", service="ecr", operation="DescribeRepositories", result_key="repositories")
declare("ecr.registry_scanning", service="ecr", operation="GetRegistryScanningConfiguration",
        result_key="scanningConfiguration")
