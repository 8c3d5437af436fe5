"""CloudWatch checks: log retention, alarm actions, and CIS-style metric-filter alarms on CloudTrail.

The metric-filter alarm checks share one rule (MATCHING_RULE below, shown to auditors as each
check's description); the filter patterns are read by evidence.checks.filter_pattern and run against
the sample events of evidence.checks.alarm_watches.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from evidence.checks import account_arn, failed, judged, passed, unknown
from evidence.checks.alarm_watches import CONCEPTS, ROUTINE, Watch
from evidence.checks.filter_pattern import Node, PatternError, matches, parse
from evidence.models import Evidence, Finding
from evidence.registry import check

ALARM_NEEDS = ("cloudtrail.trails", "logs.metric_filters", "cloudwatch.alarms", "sns.topics")


@check("cloudwatch.log_group_retention_min", needs="logs.log_groups", severity="medium")
def log_group_retention_min(groups: tuple[Evidence, ...], *, min_days: int = 365) -> Iterator[Finding]:
    """CloudWatch log groups keep their events for at least the required period.

    A log group without a retention setting never expires its events and passes.
    """
    for ev in groups:
        for group in ev.data or []:
            arn = group.get("logGroupArn") or str(group.get("arn", "")).removesuffix(":*")
            days = group.get("retentionInDays")
            if days is None:
                yield passed(ev, arn, "Events are kept indefinitely (no retention limit).")
            else:
                yield judged(ev, arn, days >= min_days, f"Events are kept for {days} days.",
                             f"Events are kept for only {days} days; at least {min_days} are required.")


def _all_alarms(ev: Evidence) -> Iterator[dict[str, Any]]:
    data = ev.data or {}
    yield from data.get("MetricAlarms", [])
    yield from data.get("CompositeAlarms", [])


@check("cloudwatch.alarm_actions_configured", needs="cloudwatch.alarms", severity="low")
def alarm_actions_configured(alarms: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Every CloudWatch alarm notifies someone or acts when it goes into ALARM."""
    for ev in alarms:
        for alarm in _all_alarms(ev):
            arn = alarm["AlarmArn"]
            if not alarm.get("AlarmActions"):
                yield failed(ev, arn, "The alarm has no action for the ALARM state.")
            elif not alarm.get("ActionsEnabled", True):
                yield failed(ev, arn, "The alarm's actions are disabled.")
            else:
                yield passed(ev, arn, f"On ALARM the alarm triggers {len(alarm['AlarmActions'])} action(s).")


# --------------------------------------------------------------------------- metric-filter alarms


class Alerting(IntEnum):
    """How well an alarm (or the best alarm of a filter) reaches people, worst first."""

    NONE = 0  # no alarm, actions disabled, or no SNS action
    NO_SUBSCRIBER = 1  # the SNS topic has no confirmed subscription
    UNVERIFIED = 2  # the topic is not in the snapshot (another account) or could not be read
    NOTIFIES = 3


@dataclass
class _Account:
    """What one account's snapshots say about trails, filters, alarms and topics."""

    groups: list[tuple[str, str]] = field(default_factory=list)  # (region, log group name)
    foreign_groups: list[str] = field(default_factory=list)  # log group ARNs in other accounts
    filters: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    filter_regions: set[str] = field(default_factory=set)
    alarms: dict[tuple[str, str, str], list[dict[str, Any]]] = field(default_factory=dict)
    alarm_regions: set[str] = field(default_factory=set)
    topics: dict[str, dict[str, Any]] = field(default_factory=dict)
    status_unknown: bool = False


def _records_management_writes(trail: dict[str, Any]) -> bool:
    for sel in trail.get("EventSelectors", []):
        if sel.get("IncludeManagementEvents") and sel.get("ReadWriteType") in ("All", "WriteOnly"):
            return True
    for sel in trail.get("AdvancedEventSelectors", []):
        fields = {f.get("Field"): f for f in sel.get("FieldSelectors", [])}
        if "Management" in fields.get("eventCategory", {}).get("Equals", []):
            read_only = fields.get("readOnly", {}).get("Equals", ["false"])
            if "false" in read_only:
                return True
    return False


def _log_group(arn: str) -> tuple[str, str, str] | None:
    """(region, account, group name) of a log group ARN such as arn:aws:logs:r:a:log-group:name:*."""
    parts = arn.split(":", 6)
    if len(parts) < 7 or parts[2] != "logs" or parts[5] != "log-group":
        return None
    return parts[3], parts[4], parts[6].removesuffix(":*")


def _metrics(alarm: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if alarm.get("MetricName"):
        yield alarm.get("Namespace", ""), alarm["MetricName"]
    for query in alarm.get("Metrics") or []:
        metric = (query.get("MetricStat") or {}).get("Metric") or {}
        if metric.get("MetricName"):
            yield metric.get("Namespace", ""), metric["MetricName"]


def _index(
    account: str,
    trails: Iterable[Evidence],
    filters: Iterable[Evidence],
    alarms: Iterable[Evidence],
    topics: Iterable[Evidence],
) -> _Account:
    out = _Account()
    for ev in trails:
        for t in (ev.data or {}).get("trails", []):
            where = _log_group(t.get("CloudWatchLogsLogGroupArn") or "")
            if not t.get("IsMultiRegionTrail") or where is None or not _records_management_writes(t):
                continue
            if "GetTrailStatus" in t.get("errors", {}):
                out.status_unknown = True
            elif t.get("Status", {}).get("IsLogging"):
                region, owner, name = where
                if owner == account:
                    out.groups.append((region, name))
                else:
                    out.foreign_groups.append(t["CloudWatchLogsLogGroupArn"])
    for ev in filters:
        out.filter_regions.add(ev.region)
        for f in ev.data or []:
            out.filters.setdefault((ev.region, f.get("logGroupName", "")), []).append(f)
    for ev in alarms:
        out.alarm_regions.add(ev.region)
        for alarm in (ev.data or {}).get("MetricAlarms", []):
            for namespace, name in set(_metrics(alarm)):
                out.alarms.setdefault((ev.region, namespace, name), []).append(alarm)
    for ev in topics:
        for topic in ev.data or []:
            out.topics[topic["TopicArn"]] = topic
    return out


def _topic_alerting(acct: _Account, arn: str) -> Alerting:
    topic = acct.topics.get(arn)
    if topic is None or topic.get("errors"):
        return Alerting.UNVERIFIED
    confirmed = [s for s in topic.get("Subscriptions", []) if str(s.get("SubscriptionArn", "")).startswith("arn:")]
    return Alerting.NOTIFIES if confirmed else Alerting.NO_SUBSCRIBER


def _alarm_alerting(acct: _Account, alarm: dict[str, Any]) -> Alerting:
    if not alarm.get("ActionsEnabled", True):
        return Alerting.NONE
    sns = [a for a in alarm.get("AlarmActions", []) if a.split(":")[2:3] == ["sns"]]
    return max((_topic_alerting(acct, a) for a in sns), default=Alerting.NONE)


def _filter_alerting(acct: _Account, region: str, flt: dict[str, Any]) -> Alerting:
    found = [
        _alarm_alerting(acct, alarm)
        for t in flt.get("metricTransformations", [])
        for alarm in acct.alarms.get((region, t.get("metricNamespace", ""), t.get("metricName", "")), [])
    ]
    return max(found, default=Alerting.NONE)


@dataclass(frozen=True)
class _Filter:
    name: str
    pattern: Node
    alerting: Alerting


def _parsed_filters(acct: _Account) -> list[_Filter]:
    out: list[_Filter] = []
    for region, group in acct.groups:
        for flt in acct.filters.get((region, group), []):
            try:
                pattern = parse(str(flt.get("filterPattern", "")))
            except PatternError:
                continue
            out.append(_Filter(str(flt.get("filterName")), pattern, _filter_alerting(acct, region, flt)))
    return out


@dataclass(frozen=True)
class _Coverage:
    """How one watched activity is covered: the weakest alerting over its sample events."""

    watch: Watch
    alerting: Alerting
    missing: tuple[str, ...]  # sample events no counted filter matches
    weak: tuple[str, ...]  # names of matching filters whose alarms do not notify anyone
    too_broad: tuple[str, ...]  # names of filters that match but also match routine events

    def describe(self) -> str:
        name = self.watch.name[0].upper() + self.watch.name[1:]
        if self.alerting is Alerting.NOTIFIES:
            return name
        if self.missing and len(self.missing) == len(self.watch.must_match):
            text = f"{name}: no metric filter matches these events"
        elif self.missing:
            text = f"{name}: no metric filter matches {', '.join(self.missing)}"
        elif self.alerting is Alerting.UNVERIFIED:
            text = f"{name}: the alarm's SNS topic is not in this account's snapshot, so delivery is unverified"
        elif self.alerting is Alerting.NO_SUBSCRIBER:
            text = f"{name}: the alarm's SNS topic has no confirmed subscription"
        else:
            text = f"{name}: no alarm with an enabled SNS action watches the metric of filter {', '.join(self.weak)}"
        if self.too_broad:
            text += f" (filter {', '.join(self.too_broad)} also matches routine events and is not counted)"
        return text


def _coverage(watch: Watch, filters: list[_Filter]) -> _Coverage:
    rejects = ROUTINE + watch.must_not_match
    counted = [f for f in filters if not any(matches(f.pattern, e) for e in rejects)]
    broad = [f.name for f in filters if f not in counted and any(matches(f.pattern, e) for e in watch.must_match)]
    per_event: list[Alerting] = []
    missing: list[str] = []
    weak: set[str] = set()
    for sample in watch.must_match:
        hits = [f for f in counted if matches(f.pattern, sample)]
        if not hits:
            missing.append(watch.label(sample))
            per_event.append(Alerting.NONE)
            continue
        best = max(f.alerting for f in hits)
        weak.update(f.name for f in hits if f.alerting is not Alerting.NOTIFIES)
        per_event.append(best)
    return _Coverage(watch, min(per_event, default=Alerting.NONE), tuple(missing), tuple(sorted(weak)),
                     tuple(sorted(broad)))


def _alarm_concept(
    concept: str,
    trails: tuple[Evidence, ...],
    filters: tuple[Evidence, ...],
    alarms: tuple[Evidence, ...],
    topics: tuple[Evidence, ...],
) -> Iterator[Finding]:
    for ev in trails:
        mine = [e for e in (filters + alarms + topics) if e.account_id == ev.account_id]
        acct = _index(
            ev.account_id,
            [ev],
            [e for e in mine if e.key == "logs.metric_filters"],
            [e for e in mine if e.key == "cloudwatch.alarms"],
            [e for e in mine if e.key == "sns.topics"],
        )
        arn = account_arn(ev)
        if not acct.groups:
            if acct.foreign_groups:
                yield unknown(ev, arn, "The multi-region trail delivers to a log group in another account "
                              f"({', '.join(acct.foreign_groups)}); its metric filters are judged there.")
            elif acct.status_unknown:
                yield unknown(ev, arn, "Whether the multi-region trail is logging could not be read.")
            else:
                yield failed(ev, arn, "No logging multi-region trail that records management events delivers "
                             "to CloudWatch Logs, so no metric filter can watch its events.")
            continue
        regions = {r for r, _ in acct.groups}
        if not regions <= acct.filter_regions or not regions <= acct.alarm_regions:
            absent = sorted(regions - (acct.filter_regions & acct.alarm_regions))
            yield unknown(ev, arn, f"Metric filters or alarms of {', '.join(absent)} were not collected.")
            continue
        parsed = _parsed_filters(acct)
        covered = [_coverage(w, parsed) for w in CONCEPTS[concept]]
        groups = ", ".join(sorted(g for _, g in acct.groups))
        worst = min(c.alerting for c in covered)
        if worst is Alerting.NOTIFIES:
            yield passed(ev, arn, f"Metric filters on {groups} raise alarms that notify subscribed SNS topics for: "
                         + "; ".join(c.watch.name for c in covered) + ".")
        elif worst is Alerting.UNVERIFIED:
            yield unknown(ev, arn, "Alarm delivery could not be verified. "
                          + "; ".join(c.describe() for c in covered if c.alerting is not Alerting.NOTIFIES) + ".")
        else:
            yield failed(ev, arn, f"On {groups}, not every activity raises a notifying alarm. "
                         + "; ".join(c.describe() for c in covered if c.alerting is not Alerting.NOTIFIES) + ".")


MATCHING_RULE = """\
Judged per account on the log groups that a logging multi-region trail recording management
write events delivers to. Each metric filter on such a group is read as a CloudWatch Logs JSON
filter pattern and run against sample CloudTrail events of every watched activity, so whitespace,
quoting, parentheses, the order of terms, extra exclusions, wildcards and combined filters are all
judged by what the pattern matches, not by how it is written. A filter counts only if it also
ignores routine events (a read, an everyday write, a sign-in with MFA). It must feed a metric whose
alarm has actions enabled and an ALARM action to an SNS topic with a confirmed subscription. The
check passes when every sample event of every watched activity reaches such an alarm."""

ALARM_CHECKS = {
    "cloudwatch.alarm_signin_anomalies": (
        "medium", "An alarm notifies on root user activity, console sign-in without MFA and failed console sign-ins."),
    "cloudwatch.alarm_unauthorized_api_calls": (
        "medium", "An alarm notifies on API calls refused with AccessDenied or UnauthorizedOperation."),
    "cloudwatch.alarm_iam_and_org_policy_changes": (
        "medium", "An alarm notifies on IAM policy changes and on AWS Organizations changes."),
    "cloudwatch.alarm_logging_and_key_tampering": (
        "medium", "An alarm notifies on CloudTrail and AWS Config changes and on KMS keys being disabled or deleted."),
    "cloudwatch.alarm_network_changes": (
        "medium", "An alarm notifies on security group, network ACL, gateway, route table and VPC changes."),
    "cloudwatch.alarm_s3_bucket_policy_changes": (
        "low", "An alarm notifies on S3 bucket policy, ACL, CORS, lifecycle and replication changes."),
}


def _register_alarm_check(concept: str, severity: str, title: str) -> None:
    def alarm_check(
        trails: tuple[Evidence, ...], filters: tuple[Evidence, ...], alarms: tuple[Evidence, ...],
        topics: tuple[Evidence, ...],
    ) -> Iterator[Finding]:
        return _alarm_concept(concept, trails, filters, alarms, topics)

    alarm_check.__doc__ = f"{title}\n\n{MATCHING_RULE}"
    alarm_check.__name__ = alarm_check.__qualname__ = concept.split(".", 1)[1]
    check(concept, needs=ALARM_NEEDS, severity=severity)(alarm_check)


for _concept, (_severity, _title) in ALARM_CHECKS.items():
    _register_alarm_check(_concept, _severity, _title)
