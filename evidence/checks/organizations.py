"""AWS Organizations checks: service control policies that bound what member accounts can do."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from evidence.checks import failed, passed, unknown
from evidence.checks.policy import as_list, statements
from evidence.models import Evidence, Finding
from evidence.registry import check

# Negated string operators: "deny unless the requested region is one of these".
_NOT_IN = ("stringnotequals", "stringnotlike", "stringnotequalsifexists", "stringnotlikeifexists")


def _allowed_regions(content: Any) -> list[set[str]]:
    """For each region-restricting Deny in an SCP, the regions it leaves open."""
    found: list[set[str]] = []
    for stmt in statements(content):
        if stmt.get("Effect") != "Deny" or "*" not in as_list(stmt.get("Resource", "*")):
            continue
        if not ("NotAction" in stmt or "*" in as_list(stmt.get("Action"))):
            continue  # denies only some services: not a region boundary
        for operator, block in (stmt.get("Condition") or {}).items():
            if str(operator).lower() not in _NOT_IN or not isinstance(block, dict):
                continue
            for key, values in block.items():
                if str(key).lower() == "aws:requestedregion":
                    found.append({str(v) for v in as_list(values)})
    return found


def _ancestry(data: dict[str, Any], account: dict[str, Any]) -> list[str]:
    """The account id, then each parent's id up to the root."""
    parent_of = {u["Id"]: u.get("ParentId") for u in data.get("organizational_units", [])}
    chain = [account["Id"]]
    node = account.get("ParentId")
    while node and node not in chain:
        chain.append(node)
        node = parent_of.get(node)
    return chain


def _open_regions(allowed: set[str]) -> str:
    return ", ".join(sorted(allowed)) or "none"


@check("organizations.region_restriction_scp", needs="organizations.organization", severity="medium")
def region_restriction_scp(
    organizations: tuple[Evidence, ...], *, approved_regions: tuple[str, ...] = ()
) -> Iterator[Finding]:
    """A service control policy denies member accounts the use of regions outside the approved ones.

    Read from the organisation's management account: for each member account, the SCPs attached to
    the account, its organisational units and the root are searched for a Deny of all actions (or of
    all but some, through NotAction) on every resource, conditioned on aws:RequestedRegion with a
    negated string operator. With approved_regions set, the regions such a policy leaves open must
    all be approved. Not applicable when the account is in no organisation or is not its management
    account (only that account can read SCPs); SCPs never restrict the management account itself,
    so it gets no finding.
    """
    approved = set(approved_regions)
    for ev in organizations:
        data = ev.data or {}
        if not data.get("is_management_account"):
            continue
        management = (data.get("organization") or {}).get("MasterAccountId")
        policies = data.get("service_control_policies", [])
        for account in data.get("accounts", []):
            if account["Id"] == management:
                continue
            arn = f"arn:aws:iam::{account['Id']}:root"
            chain = set(_ancestry(data, account))
            applying = [p for p in policies if chain & {t.get("TargetId") for t in p.get("Targets", [])}]
            unreadable = [
                p["Name"] for p in policies if p.get("errors") and (p.get("Targets") is None or p in applying)
            ]
            restrictions = [
                (p["Name"], allowed) for p in applying for allowed in _allowed_regions(p.get("Content"))
            ]
            good = [(n, a) for n, a in restrictions if not approved or a <= approved]
            if good:
                yield passed(ev, arn, "; ".join(f"SCP {n} denies every region but {_open_regions(a)}" for n, a in good)
                             + ".")
            elif unreadable:
                yield unknown(ev, arn, f"SCP(s) {', '.join(unreadable)} could not be read.")
            elif restrictions:
                yield failed(ev, arn, "; ".join(
                    f"SCP {n} leaves open {', '.join(sorted(a - approved))}, which are not approved"
                    for n, a in restrictions) + ".")
            else:
                yield failed(ev, arn, f"No SCP applying to account {account.get('Name', account['Id'])} "
                             "restricts the regions it can use.")
