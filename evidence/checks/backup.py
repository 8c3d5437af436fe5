"""AWS Backup checks: data stores covered by a plan with recent recovery points, plan frequency and
retention, and vaults that protect recovery points from deletion."""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import Any

from evidence.checks import age_days, failed, parse_time, passed, schedule, unknown
from evidence.checks.dynamodb import table_arn
from evidence.checks.policy import as_list, principal_is_public, statements
from evidence.models import Evidence, Finding
from evidence.registry import check

TAG_KEY_PREFIX = "aws:ResourceTag/"
Place = tuple[str, str]  # (account, region)


def _tags(tag_list: Any) -> dict[str, str]:
    return {t["Key"]: t.get("Value", "") for t in tag_list or [] if isinstance(t, dict) and "Key" in t}


def _tag_key(condition: dict[str, Any]) -> str:
    key = str(condition.get("ConditionKey", ""))
    return key[len(TAG_KEY_PREFIX):] if key.startswith(TAG_KEY_PREFIX) else key


def _tag_matches(condition: dict[str, Any], tags: dict[str, str], *, like: bool, negate: bool) -> bool:
    value = tags.get(_tag_key(condition))
    expected = str(condition.get("ConditionValue", ""))
    hit = value is not None and (fnmatchcase(value, expected) if like else value == expected)
    return not hit if negate else hit


def selects(selection: dict[str, Any], arn: str, tags: dict[str, str]) -> bool:
    """Whether a backup selection assigns the resource: by ARN pattern or tag, then its conditions."""
    by_arn = any(fnmatchcase(arn, str(pattern)) for pattern in selection.get("Resources") or [])
    by_tag = any(_tag_matches(c, tags, like=False, negate=False) for c in selection.get("ListOfTags") or [])
    if not (by_arn or by_tag):
        return False
    conditions = selection.get("Conditions") or {}
    for operator, like, negate in (("StringEquals", False, False), ("StringNotEquals", False, True),
                                   ("StringLike", True, False), ("StringNotLike", True, True)):
        if not all(_tag_matches(c, tags, like=like, negate=negate) for c in conditions.get(operator) or []):
            return False
    return not any(fnmatchcase(arn, str(pattern)) for pattern in selection.get("NotResources") or [])


def _data_stores(
    instances: tuple[Evidence, ...], clusters: tuple[Evidence, ...], tables: tuple[Evidence, ...]
) -> Iterator[tuple[Evidence, str, str, dict[str, str]]]:
    """(snapshot, ARN, kind, tags) of every database and table in scope."""
    for ev in instances:
        for db in ev.data or []:
            if not db.get("DBClusterIdentifier") and not db.get("ReadReplicaSourceDBInstanceIdentifier"):
                yield ev, db["DBInstanceArn"], "DB instance", _tags(db.get("TagList"))
    for ev in clusters:
        for cluster in ev.data or []:
            yield ev, cluster["DBClusterArn"], "DB cluster", _tags(cluster.get("TagList"))
    for ev in tables:
        for table in ev.data or []:
            yield ev, table_arn(ev, table), "DynamoDB table", _tags(table.get("Tags"))


class _Assignments:
    """Which plans select a resource, per account and region; where assignments could not be read."""

    def __init__(self, plans: tuple[Evidence, ...]) -> None:
        self.selections: dict[Place, list[tuple[str, dict[str, Any]]]] = {}
        self.unreadable: dict[Place, list[str]] = {}
        for ev in plans:
            place = (ev.account_id, ev.region)
            for plan in ev.data or []:
                name = str(plan.get("BackupPlanName") or plan.get("BackupPlanId"))
                if "selections" in plan.get("errors", {}):
                    self.unreadable.setdefault(place, []).append(name)
                for selection in plan.get("Selections", []):
                    if "selection" in selection.get("errors", {}):
                        self.unreadable.setdefault(place, []).append(name)
                    else:
                        self.selections.setdefault(place, []).append((name, selection.get("BackupSelection") or {}))

    def plans_selecting(self, place: Place, arn: str, tags: dict[str, str]) -> list[str]:
        return sorted({name for name, sel in self.selections.get(place, []) if selects(sel, arn, tags)})


@check(
    "backup.resources_protected_by_plan",
    needs=("rds.instances", "rds.clusters", "dynamodb.tables", "backup.plans", "backup.protected_resources"),
    severity="medium",
)
def resources_protected_by_plan(
    instances: tuple[Evidence, ...],
    clusters: tuple[Evidence, ...],
    tables: tuple[Evidence, ...],
    plans: tuple[Evidence, ...],
    protected: tuple[Evidence, ...],
    *,
    max_backup_age_days: int = 2,
) -> Iterator[Finding]:
    """Every database and DynamoDB table is assigned to a backup plan and has a recent recovery point.

    In scope: RDS DB instances (not cluster members or read replicas), DB clusters (Aurora,
    DocumentDB, Neptune) and DynamoDB tables. Recent means no older than `max_backup_age_days`.
    """
    assignments = _Assignments(plans)
    last_backup: dict[tuple[str, str, str], Any] = {
        (ev.account_id, ev.region, r["ResourceArn"]): r.get("LastBackupTime") for ev in protected for r in ev.data or []
    }
    for ev, arn, kind, tags in _data_stores(instances, clusters, tables):
        place = (ev.account_id, ev.region)
        by = assignments.plans_selecting(place, arn, tags)
        age = age_days(ev, last_backup.get((ev.account_id, ev.region, arn)))
        if not by and assignments.unreadable.get(place):
            yield unknown(ev, arn, "No readable backup plan assigns this " + kind + "; the assignments of plan(s) "
                          + ", ".join(sorted(set(assignments.unreadable[place]))) + " could not be read.")
            continue
        recent = age is not None and age <= max_backup_age_days
        point = "it has no recovery point" if age is None else f"its last recovery point is {age:.1f} days old"
        if by and recent:
            yield passed(ev, arn, f"Backup plan {', '.join(by)} assigns this {kind}; {point}.")
        elif by:
            yield failed(ev, arn, f"Backup plan {', '.join(by)} assigns this {kind}, but {point} "
                         f"(at most {max_backup_age_days} days allowed).")
        else:
            yield failed(ev, arn, f"No backup plan assigns this {kind}; {point}.")


def _rule_summary(rule: dict[str, Any], max_interval: int, min_retention: int) -> tuple[bool, str]:
    """Whether a plan rule meets the frequency and retention, and how an auditor reads the rule."""
    expression = str(rule.get("ScheduleExpression") or "")
    if rule.get("EnableContinuousBackup"):
        interval: float | None = 0.0
        runs = "continuous backup"
    else:
        interval = schedule.max_interval_hours(expression) if expression else None
        runs = (f"{expression}, at most {interval:g} h apart" if interval is not None
                else f"{expression or 'no schedule'}, frequency not determined")
    keep = (rule.get("Lifecycle") or {}).get("DeleteAfterDays")
    kept = "kept indefinitely" if keep is None else f"kept {keep} days"
    ok = interval is not None and interval <= max_interval and (keep is None or int(keep) >= min_retention)
    return ok, f"{rule.get('RuleName', 'unnamed rule')} ({runs}; {kept})"


@check("backup.plan_frequency_retention", needs="backup.plans", severity="low")
def plan_frequency_retention(
    plans: tuple[Evidence, ...], *, max_interval_hours: int = 24, min_retention_days: int = 35
) -> Iterator[Finding]:
    """Every backup plan has a rule that runs at least daily and keeps recovery points for 35 days or more.

    The frequency and retention are parameters (`max_interval_hours`, `min_retention_days`).
    """
    for ev in plans:
        for plan in ev.data or []:
            arn = plan["BackupPlanArn"]
            if "plan" in plan.get("errors", {}):
                yield unknown(ev, arn, f"The plan's rules could not be read ({plan['errors']['plan']}).")
                continue
            rules = [_rule_summary(r, max_interval_hours, min_retention_days)
                     for r in (plan.get("BackupPlan") or {}).get("Rules", [])]
            good = [text for ok, text in rules if ok]
            if good:
                yield passed(ev, arn, f"Rule {good[0]} meets the requirement.")
            else:
                yield failed(ev, arn, f"No rule runs at least every {max_interval_hours} h and keeps recovery points "
                             f"{min_retention_days} days or more: " + ("; ".join(t for _, t in rules) or "no rules")
                             + ".")


def _denies_deletion(policy: Any) -> bool:
    for stmt in statements(policy):
        if stmt.get("Effect") != "Deny":
            continue
        if not ("NotPrincipal" in stmt or principal_is_public(stmt.get("Principal"))):
            continue
        if any(fnmatchcase("backup:DeleteRecoveryPoint", str(a)) for a in as_list(stmt.get("Action"))):
            return True
    return False


@check("backup.recovery_points_deletion_protected", needs="backup.vaults", severity="medium")
def recovery_points_deletion_protected(vaults: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Recovery points cannot be deleted: the vault is locked in compliance mode or its policy denies deletion."""
    for ev in vaults:
        for vault in ev.data or []:
            arn = vault["BackupVaultArn"]
            lock_date = parse_time(vault.get("LockDate"))
            if vault.get("Locked") and lock_date is not None and lock_date <= ev.collected_at:
                yield passed(ev, arn, f"Vault Lock is in compliance mode (immutable since {vault['LockDate']}).")
                continue
            if "policy" in vault.get("errors", {}):
                yield unknown(ev, arn, f"The vault access policy could not be read ({vault['errors']['policy']}).")
                continue
            if _denies_deletion(vault.get("Policy")):
                yield passed(ev, arn, "The vault access policy denies backup:DeleteRecoveryPoint to every principal.")
                continue
            if not vault.get("Locked"):
                lock = "the vault has no Vault Lock"
            elif lock_date is None:
                lock = "Vault Lock is in governance mode, which privileged users can remove"
            else:
                lock = f"Vault Lock becomes immutable only on {vault['LockDate']}"
            yield failed(ev, arn, f"Recovery points can be deleted: {lock}, and the vault access policy does not "
                         "deny backup:DeleteRecoveryPoint.")
