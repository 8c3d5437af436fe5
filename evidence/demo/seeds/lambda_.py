"""Lambda: an image thumbnailer invoked only by its upload bucket, and a webhook receiver open to anyone.

The thumbnailer's environment holds a (fake) secret value: the pack keeps the variable names only.
"""

from __future__ import annotations

import io
import json
import zipfile

from evidence.demo.scenario import ACCOUNT, HOME, Clients, expect, seeder

HANDLER = "def handler(event, context):\n    return {'statusCode': 200}\n"
DEMO_SECRET_VALUE = "demo-secret-value-never-collected"


def _package() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("index.py", HANDLER)
    return buf.getvalue()


@seeder
def seed_lambda(aws: Clients) -> None:
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    created = aws("iam").create_role(RoleName="lambda-functions", AssumeRolePolicyDocument=json.dumps(trust))
    role = created["Role"]["Arn"]
    lam = aws("lambda", HOME)
    common = {"Runtime": "python3.12", "Role": role, "Handler": "index.handler", "Code": {"ZipFile": _package()}}
    thumbnailer = lam.create_function(
        FunctionName="image-thumbnailer",
        Environment={"Variables": {"OUTPUT_BUCKET": "example-thumbnails", "SIGNING_KEY": DEMO_SECRET_VALUE}},
        **common,
    )["FunctionArn"]
    lam.add_permission(
        FunctionName="image-thumbnailer", StatementId="uploads-bucket", Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::example-uploads", SourceAccount=ACCOUNT,
    )
    webhook = lam.create_function(FunctionName="webhook-receiver", **common)["FunctionArn"]
    lam.add_permission(FunctionName="webhook-receiver", StatementId="anyone", Action="lambda:InvokeFunction",
                       Principal="*")
    lam.create_function_url_config(FunctionName="webhook-receiver", AuthType="NONE")
    expect("lambda.not_public", thumbnailer, "pass")
    expect("lambda.not_public", webhook, "fail")
