"""An answer two collectors need is asked once per account: cloudtrail.trails and cloudtrail.integrity share
DescribeTrails, and each snapshot still names the operation it was built from."""

from __future__ import annotations

from typing import Any

import pytest

from evidence import registry
from evidence.collect import AccountTarget, collect
from evidence.demo.emulator import Emulator
from evidence.demo.run import demo_factory
from evidence.pipeline import make_period

REGIONS = ("ap-southeast-2", "ca-central-1")
ACCOUNT = "310987654321"


def test_describe_trails_is_sent_once_per_region_for_both_collectors(emulator: Emulator) -> None:
    member = demo_factory(emulator).assume(ACCOUNT, "OrganizationAccountAccessRole")
    specs = [registry.collectors()[k] for k in ("cloudtrail.trails", "cloudtrail.integrity")]

    got = collect([AccountTarget(ACCOUNT, member)], regions=REGIONS, period=make_period(None, None), specs=specs)
    assert [ev.key for ev in got] == ["cloudtrail.integrity", "cloudtrail.trails"]
    assert all(ev.error is None and "cloudtrail:DescribeTrails" in ev.api_calls for ev in got)
    assert member.recorder.sent["cloudtrail:DescribeTrails"] == len(REGIONS)

    again = collect([AccountTarget(ACCOUNT, member)], regions=REGIONS, period=make_period(None, None), specs=specs)
    assert [ev.error for ev in again] == [None, None]
    # the first collection released the account's clients and answers: the second asks again
    assert member.recorder.sent["cloudtrail:DescribeTrails"] == 2 * len(REGIONS)


def test_a_shared_answer_is_a_copy(emulator: Emulator) -> None:
    member = demo_factory(emulator).assume(ACCOUNT, "OrganizationAccountAccessRole")
    calls: list[str] = []

    def read() -> dict[str, Any]:
        calls.append("sent")
        return {"trailList": [{"Name": "t"}]}

    first = member.shared("cloudtrail:DescribeTrails", "eu-west-3", read)
    first["trailList"].clear()  # a collector changing its copy does not change another's
    assert member.shared("cloudtrail:DescribeTrails", "eu-west-3", read) == {"trailList": [{"Name": "t"}]}
    assert calls == ["sent"]


def test_a_failed_read_is_not_kept(emulator: Emulator) -> None:
    member = demo_factory(emulator).assume(ACCOUNT, "OrganizationAccountAccessRole")
    answers: list[Any] = [RuntimeError("refused"), {"trailList": []}]

    def read() -> Any:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    with pytest.raises(RuntimeError):
        member.shared("cloudtrail:DescribeTrails", "eu-west-3", read)
    assert member.shared("cloudtrail:DescribeTrails", "eu-west-3", read) == {"trailList": []}
    assert answers == []
