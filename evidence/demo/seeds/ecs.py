"""ECS: a web task that reads its database password from Secrets Manager; a batch worker with an AWS
secret access key written into its environment."""

from __future__ import annotations

from evidence.demo.scenario import ACCOUNT, HOME, OTHER, Clients, expect, seeder


@seeder
def seed_ecs(aws: Clients) -> None:
    good = aws("ecs", HOME).register_task_definition(family="storefront-web", containerDefinitions=[{
        "name": "web", "image": "public.ecr.aws/nginx/nginx:1.27", "memory": 512,
        "environment": [{"name": "PORT", "value": "8080"}],
        "secrets": [{"name": "DB_PASSWORD",
                     "valueFrom": f"arn:aws:secretsmanager:{HOME}:{ACCOUNT}:secret:prod/orders-db/credentials"}],
    }])["taskDefinition"]["taskDefinitionArn"]
    bad = aws("ecs", OTHER).register_task_definition(family="batch-worker", containerDefinitions=[{
        "name": "worker", "image": "public.ecr.aws/docker/library/python:3.12", "memory": 1024,
        "environment": [{"name": "AWS_SECRET_ACCESS_KEY", "value": "demo/not/a/real/secret/access/key/000000"}],
    }])["taskDefinition"]["taskDefinitionArn"]
    expect("secrets.no_plaintext_credentials_in_config", good, "pass")
    expect("secrets.no_plaintext_credentials_in_config", bad, "fail")
