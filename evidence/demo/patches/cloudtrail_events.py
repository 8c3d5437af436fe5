"""CloudTrail LookupEvents over management events planted in-process.

moto records no events. The demo plants the ones a check looks for (such as the root user
signing in) with :func:`put_cloudtrail_event`; LookupEvents returns them newest first,
filtered by one lookup attribute and the StartTime/EndTime window, MaxResults at a time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from moto.cloudtrail.models import CloudTrailBackend, cloudtrail_backends
from moto.cloudtrail.responses import CloudTrailResponse
from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult
from moto.moto_api._internal import mock_random

from evidence.demo.patches._hook import install
from evidence.demo.patches._paging import page
from evidence.demo.patches._params import parsed, utc
from evidence.demo.patches._state import attached


class CloudTrailLookupError(JsonRESTError):
    code = 400


@dataclass(frozen=True)
class Event:
    event_id: str
    event_name: str
    event_source: str
    event_time: datetime
    username: str
    read_only: bool
    access_key_id: str | None
    resources: tuple[tuple[str, str], ...]  # (type, name)
    record: str  # the CloudTrail record, as JSON text

    def attribute(self, key: str) -> list[str]:
        values = {
            "EventId": [self.event_id],
            "EventName": [self.event_name],
            "EventSource": [self.event_source],
            "Username": [self.username],
            "ReadOnly": [str(self.read_only).lower()],
            "AccessKeyId": [self.access_key_id] if self.access_key_id else [],
            "ResourceType": [kind for kind, _ in self.resources],
            "ResourceName": [name for _, name in self.resources],
        }
        return values[key]

    def shaped(self) -> dict[str, Any]:
        event: dict[str, Any] = {
            "EventId": self.event_id,
            "EventName": self.event_name,
            "ReadOnly": str(self.read_only).lower(),
            "EventTime": self.event_time,
            "EventSource": self.event_source,
            "Username": self.username,
            "Resources": [{"ResourceType": kind, "ResourceName": name} for kind, name in self.resources],
            "CloudTrailEvent": self.record,
        }
        if self.access_key_id:
            event["AccessKeyId"] = self.access_key_id
        return event


@dataclass
class Events:
    recorded: list[Event] = field(default_factory=list)


def put_cloudtrail_event(
    account_id: str,
    region: str,
    *,
    event_name: str,
    event_source: str,
    event_time: datetime,
    username: str,
    identity_type: str = "IAMUser",
    read_only: bool = False,
    access_key_id: str | None = None,
    resources: Sequence[tuple[str, str]] = (),
) -> str:
    backend: CloudTrailBackend = cloudtrail_backends[account_id][region]
    event_id = str(mock_random.uuid4())
    when = utc(event_time)
    identity: dict[str, Any] = {"type": identity_type, "accountId": account_id}
    if identity_type == "Root":
        identity["arn"] = f"arn:{backend.partition}:iam::{account_id}:root"
    else:
        identity |= {"arn": f"arn:{backend.partition}:iam::{account_id}:user/{username}", "userName": username}
    if access_key_id:
        identity["accessKeyId"] = access_key_id
    record = {
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": event_source,
        "eventName": event_name,
        "awsRegion": region,
        "eventID": event_id,
        "readOnly": read_only,
        "eventType": "AwsConsoleSignIn" if event_name == "ConsoleLogin" else "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account_id,
    }
    event = Event(
        event_id=event_id,
        event_name=event_name,
        event_source=event_source,
        event_time=when,
        username=username,
        read_only=read_only,
        access_key_id=access_key_id,
        resources=tuple(resources),
        record=json.dumps(record),
    )
    attached(backend, Events).recorded.append(event)
    return event_id


def apply() -> None:
    install(CloudTrailResponse, "lookup_events", _lookup_events)


def _lookup_events(self: CloudTrailResponse) -> ActionResult:
    params = parsed(self)
    attributes = params.get("LookupAttributes") or []
    if len(attributes) > 1:
        raise CloudTrailLookupError(
            "InvalidLookupAttributesException", "You cannot specify more than one lookup attribute."
        )
    start = utc(params["StartTime"]) if "StartTime" in params else None
    end = utc(params["EndTime"]) if "EndTime" in params else None
    if start and end and start > end:
        raise CloudTrailLookupError("InvalidTimeRangeException", "The start time must not be after the end time.")
    events = [
        event
        for event in attached(self.cloudtrail_backend, Events).recorded
        if (start is None or event.event_time >= start)
        and (end is None or event.event_time <= end)
        and all(a["AttributeValue"] in event.attribute(a["AttributeKey"]) for a in attributes)
    ]
    events.sort(key=lambda e: (e.event_time, e.event_id), reverse=True)
    shown, token = page(
        events,
        params.get("MaxResults"),
        params.get("NextToken"),
        default_limit=50,
        invalid_token=lambda: CloudTrailLookupError("InvalidNextTokenException", "Invalid NextToken"),
    )
    return ActionResult({"Events": [e.shaped() for e in shown], "NextToken": token})
