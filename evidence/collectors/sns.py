"""SNS: topics and their subscriptions, per region (endpoints left out)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from evidence.aws import error_code
from evidence.collect import CollectContext, paginate
from evidence.registry import collector

# Subscription endpoints are dropped: webhook URLs can embed credentials, and e-mail addresses
# and phone numbers are personal data. Whether a topic reaches someone is what checks need.
SUBSCRIPTION_FIELDS = ("SubscriptionArn", "Protocol", "Owner", "TopicArn")


def _topic(ctx: CollectContext, arn: str) -> dict[str, Any]:
    topic: dict[str, Any] = {"TopicArn": arn, "errors": {}}
    try:
        subs = paginate(ctx.client("sns"), "list_subscriptions_by_topic", "Subscriptions", TopicArn=arn)
    except ClientError as exc:
        topic["errors"]["ListSubscriptionsByTopic"] = error_code(exc)
        return topic
    topic["Subscriptions"] = [{k: s[k] for k in SUBSCRIPTION_FIELDS if k in s} for s in subs]
    return topic


@collector("sns.topics", service="sns", actions=("sns:ListTopics", "sns:ListSubscriptionsByTopic"))
def topics(ctx: CollectContext) -> Any:
    """Every topic of the region with its subscriptions' protocol and state (pending or confirmed)."""
    arns = sorted(t["TopicArn"] for t in paginate(ctx.client("sns"), "list_topics", "Topics"))
    return ctx.map(lambda arn: _topic(ctx, arn), arns)
