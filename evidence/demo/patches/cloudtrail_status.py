"""CloudTrail GetTrailStatus: report CloudWatch Logs delivery for trails that deliver there.

moto's status never mentions CloudWatch Logs. A logging trail with a log group reports, as AWS
does, the time of its latest delivery to CloudWatch Logs (the emulator delivers continuously).
"""

from __future__ import annotations

import json
import time

from moto.cloudtrail.responses import CloudTrailResponse

from evidence.demo.patches._hook import install


def apply() -> None:
    install(CloudTrailResponse, "get_trail_status", _get_trail_status)


def _get_trail_status(self: CloudTrailResponse) -> str:
    name = self._get_param("Name")
    backend = self.cloudtrail_backend
    status = backend.get_trail_status(name).description()
    trail = backend.get_trail(name)
    if status.get("IsLogging") and getattr(trail, "cw_log_group_arn", None):
        status["LatestCloudWatchLogsDeliveryTime"] = int(time.time())
    return json.dumps(status)
