"""Secrets Manager: database credentials rotated every 30 days; a partner API key that never rotates."""

from __future__ import annotations

import json

from evidence.demo.scenario import HOME, OTHER, Clients, expect, seeder


@seeder
def seed_secretsmanager(aws: Clients) -> None:
    home = aws("secretsmanager", HOME)
    rotated = home.create_secret(
        Name="prod/orders-db/credentials",
        SecretString=json.dumps({"username": "orders", "password": "Demo-Rotating-Password-1!"}),
    )["ARN"]
    home.rotate_secret(SecretId=rotated, RotationRules={"AutomaticallyAfterDays": 30})
    static = aws("secretsmanager", OTHER).create_secret(
        Name="partners/crm-api-key", SecretString="demo-static-partner-api-key",
    )["ARN"]
    expect("secretsmanager.rotation_enabled", rotated, "pass")
    expect("secretsmanager.rotation_enabled", static, "fail")
