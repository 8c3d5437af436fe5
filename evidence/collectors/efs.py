"""Amazon EFS: every file system with its encryption at rest."""

from __future__ import annotations

from evidence.collect import declare

declare("efs.file_systems", service="efs", operation="DescribeFileSystems", result_key="FileSystems")
