"""AWS Config DescribeDeliveryChannelStatus, which moto does not implement.

The status is derived from the emulator's own state, as AWS would observe it: configuration
history and snapshot delivery succeed while a recorder of the region is recording and the
channel's S3 bucket exists in the account, and fail with NoSuchBucket when the bucket is gone;
with no recorder recording nothing has been attempted yet (NOT_APPLICABLE). Stream delivery
succeeds when the channel names an SNS topic, else it is NOT_APPLICABLE.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from moto.config.exceptions import NoSuchDeliveryChannelException
from moto.config.models import ConfigBackend
from moto.config.responses import ConfigResponse
from moto.core.responses import ActionResult
from moto.s3.models import s3_backends

from evidence.demo.patches._hook import install
from evidence.demo.patches._params import parsed


def apply() -> None:
    install(ConfigResponse, "describe_delivery_channel_status", _describe_delivery_channel_status)


def _describe_delivery_channel_status(self: ConfigResponse) -> ActionResult:
    backend = self.config_backend
    names = parsed(self).get("DeliveryChannelNames") or sorted(backend.delivery_channels)
    statuses = []
    for name in names:
        channel = backend.delivery_channels.get(name)
        if channel is None:
            raise NoSuchDeliveryChannelException(name)
        statuses.append(_status(self, backend, channel))
    return ActionResult({"DeliveryChannelsStatus": statuses})


def _status(self: ConfigResponse, backend: ConfigBackend, channel: Any) -> dict[str, Any]:
    started = [r.status.last_start_time or 0 for r in backend.recorders.values() if r.status.recording]
    buckets = s3_backends[self.current_account][self.partition].buckets
    if not started:
        delivery: dict[str, Any] = {"lastStatus": "NOT_APPLICABLE"}
    else:
        attempt = datetime.fromtimestamp(max(started), UTC)
        delivery = {"lastStatus": "SUCCESS", "lastAttemptTime": attempt, "lastSuccessfulTime": attempt}
        if channel.s3_bucket_name not in buckets:
            delivery = {
                "lastStatus": "FAILURE",
                "lastErrorCode": "NoSuchBucket",
                "lastErrorMessage": f"The specified bucket {channel.s3_bucket_name} does not exist.",
                "lastAttemptTime": attempt,
            }
    stream = {"lastStatus": "SUCCESS" if channel.sns_topic_arn else "NOT_APPLICABLE"}
    return {
        "name": channel.name,
        "configSnapshotDeliveryInfo": delivery,
        "configHistoryDeliveryInfo": delivery,
        "configStreamDeliveryInfo": stream,
    }
