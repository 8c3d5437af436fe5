"""Secrets Manager: the metadata of every secret (rotation settings and dates); never a secret value."""

from __future__ import annotations

from evidence.collect import declare

declare("secretsmanager.secrets", service="secretsmanager", operation="ListSecrets", result_key="SecretList")
