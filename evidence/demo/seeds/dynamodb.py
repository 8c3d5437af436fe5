"""DynamoDB: an orders table with KMS encryption and point-in-time recovery; a sessions table with neither."""

from __future__ import annotations

from evidence.demo.scenario import ACCOUNT, HOME, OTHER, Clients, expect, seeder

ORDERS_TABLE = f"arn:aws:dynamodb:{HOME}:{ACCOUNT}:table/orders"
SESSIONS_TABLE = f"arn:aws:dynamodb:{OTHER}:{ACCOUNT}:table/sessions"
KEY_SCHEMA = {
    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
    "BillingMode": "PAY_PER_REQUEST",
}


@seeder
def seed_dynamodb(aws: Clients) -> None:
    home = aws("dynamodb", HOME)
    home.create_table(TableName="orders", SSESpecification={"Enabled": True, "SSEType": "KMS"}, **KEY_SCHEMA)
    home.update_continuous_backups(TableName="orders",
                                   PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    aws("dynamodb", OTHER).create_table(TableName="sessions", Tags=[{"Key": "backup", "Value": "weekly"}],
                                        **KEY_SCHEMA)
    for check in ("dynamodb.pitr_enabled", "dynamodb.kms_encrypted"):
        expect(check, ORDERS_TABLE, "pass")
        expect(check, SESSIONS_TABLE, "fail")
