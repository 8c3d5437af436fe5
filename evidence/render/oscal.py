"""One framework's results as an OSCAL 1.1 assessment-results document (JSON).

- every snapshot of the pack is an observation (method EXAMINE) whose relevant evidence is the
  snapshot's path in the pack, with its SHA-256 as a property;
- every check the framework runs is an observation (method TEST) naming the resources it failed;
- every control is a finding whose target is the control (type objective-id): `satisfied` when it
  passed or had nothing to judge, `not-satisfied` when it failed or its failures are excepted, and
  no objective status when it was not evaluated or needs manual evidence. Our own status is kept
  in the `status` property;
- the accounts and the failing resources are inventory items, the subjects of the observations.

OSCAL tokens cannot start with a digit or hold parentheses, so a control's target-id is its id with
each run of other characters replaced by `_`, and a leading `_` when it starts with a digit
(`1.2.1` -> `_1.2.1`, `164.308(a)(1)` -> `_164.308_a_1`); the exact id is the `control-id`
property. UUIDs are derived from the pack id and the object's path (uuid5), so the same pack
always gives the same file.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from evidence.models import CheckResult, ControlResult, EvidenceRef, FrameworkResult, Pack, Status
from evidence.render.errors import RenderError
from evidence.render.text import printable
from evidence.render.view import select_framework
from evidence.store import canonical_json

OSCAL_VERSION = "1.1.3"
PROPS_NS = "urn:evidence-pack:oscal"  # namespace of the properties this tool defines
UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, PROPS_NS)

JSON = dict[str, Any]

# Our status -> (objective state, reason); None: no determination (missing or manual evidence).
OBJECTIVE_STATUS: dict[Status, tuple[str, str] | None] = {
    Status.PASS: ("satisfied", "pass"),
    Status.NOT_APPLICABLE: ("satisfied", "other"),
    Status.FAIL: ("not-satisfied", "fail"),
    Status.EXCEPTED: ("not-satisfied", "other"),
    Status.NOT_EVALUATED: None,
    Status.MANUAL: None,
}

_NOT_TOKEN = re.compile(r"[^A-Za-z0-9_.\-]+")
_TOKEN_START = re.compile(r"[A-Za-z_]")


def control_token(control_id: str) -> str:
    """The control id as an OSCAL token (see the module docstring)."""
    token = _NOT_TOKEN.sub("_", control_id).strip("_")
    return token if _TOKEN_START.match(token) else f"_{token}"


def _line(text: str) -> str:
    """One printable line without surrounding blanks, as OSCAL titles and property values require."""
    return " ".join(printable(text).split()) or "-"


class _Ids:
    """Deterministic UUIDs: uuid5 of the pack id and the object's path."""

    def __init__(self, pack: Pack, framework_id: str) -> None:
        self._prefix = f"{pack.pack_id}/{framework_id}"

    def __call__(self, path: str) -> str:
        return str(uuid.uuid5(UUID_NAMESPACE, f"{self._prefix}/{path}"))


def _prop(name: str, value: str) -> JSON:
    return {"name": name, "ns": PROPS_NS, "value": _line(value)}


def _evidence(path: str, ref: EvidenceRef | None) -> JSON:
    item: JSON = {"href": path, "description": "Snapshot file of the evidence pack (hashed in manifest.json)."}
    if ref is not None:
        item["props"] = [_prop("sha256", ref.sha256)]
    return item


def _inventory(
    pack: Pack, fr: FrameworkResult, ids: _Ids
) -> tuple[list[JSON], dict[str, str], dict[tuple[str, str], str]]:
    """Inventory items for the accounts and the failing resources, and the uuid of each."""
    accounts = sorted(set(pack.collection.scope.accounts) | {e.account_id for e in pack.evidence})
    failing = sorted({(f.resource, f.account) for cr in fr.checks for f in cr.findings if f.status is Status.FAIL})
    items: list[JSON] = []
    account_ids: dict[str, str] = {}
    resource_ids: dict[tuple[str, str], str] = {}
    for account in accounts:
        account_ids[account] = ids(f"account/{account}")
        items.append({"uuid": account_ids[account], "description": f"AWS account {account}.",
                      "props": [{"name": "asset-id", "value": _line(account)}]})
    for resource, account in failing:
        item = resource_ids[(resource, account)] = ids(f"resource/{account}/{resource}")
        items.append({"uuid": item, "description": f"AWS resource {resource} in account {account}.",
                      "props": [{"name": "asset-id", "value": _line(resource)}, _prop("account", account)]})
    return items, account_ids, resource_ids


def _snapshot_observation(ref: EvidenceRef, ids: _Ids, account_ids: Mapping[str, str]) -> JSON:
    where = f"account {ref.account_id}, region {ref.region}"
    if ref.error is not None:
        description = f"Evidence {ref.key} could not be collected in {where}: {ref.error.code}: {ref.error.message}"
    else:
        calls = ", ".join(ref.api_calls) or "no API call"
        description = f"Read-only snapshot of {ref.key} in {where}, taken through {calls}."
    props = [_prop("evidence-key", ref.key), _prop("region", ref.region)]
    if ref.error is not None:
        props.append(_prop("gap", ref.error.code))
    return {
        "uuid": ids(f"observation/{ref.path}"),
        "title": _line(f"Snapshot {ref.key} ({ref.account_id}, {ref.region})"),
        "description": printable(description),
        "props": props,
        "methods": ["EXAMINE"],
        "subjects": [{"subject-uuid": account_ids[ref.account_id], "type": "inventory-item",
                      "title": _line(f"AWS account {ref.account_id}")}],
        "relevant-evidence": [_evidence(ref.path, ref)],
        "collected": ref.collected_at,
    }


def _check_observation(
    cr: CheckResult,
    pack: Pack,
    ids: _Ids,
    resource_ids: Mapping[tuple[str, str], str],
    refs: Mapping[str, EvidenceRef],
) -> JSON:
    failed = [f for f in cr.findings if f.status is Status.FAIL]
    observation: JSON = {
        "uuid": ids(f"check/{cr.key}"),
        "title": _line(cr.title),
        "description": printable(
            f"Automated check {cr.key} judged {len(cr.findings)} resource(s): {len(failed)} failed. "
            f"Status: {cr.status.value}; {len(cr.gaps)} gap(s) in the evidence it needs."
        ),
        "props": [_prop("check", cr.key), _prop("status", cr.status.value), _prop("severity", cr.severity.value)],
        "methods": ["TEST"],
        "collected": pack.collection.finished_at,
    }
    subjects = dict.fromkeys((f.resource, f.account) for f in failed)
    if subjects:
        observation["subjects"] = [{"subject-uuid": resource_ids[s], "type": "inventory-item", "title": _line(s[0])}
                                   for s in subjects]
    if cr.evidence:
        observation["relevant-evidence"] = [_evidence(path, refs.get(path)) for path in cr.evidence]
    return observation


def _finding(control: ControlResult, ids: _Ids) -> JSON:
    target: JSON = {"type": "objective-id", "target-id": control_token(control.id),
                    "title": _line(f"{control.id} {control.title}")}
    objective = OBJECTIVE_STATUS[control.status]
    if objective is not None:
        target["status"] = {"state": objective[0], "reason": objective[1]}
    props = [_prop("control-id", control.id), _prop("status", control.status.value),
             _prop("evidence-type", control.evidence.value)]
    props += [_prop("exception", e) for e in control.exceptions]
    finding: JSON = {
        "uuid": ids(f"finding/{control.id}"),
        "title": _line(f"{control.id} {control.title}"),
        "description": printable(control.reason or f"Status: {control.status.value}."),
        "props": props,
        "target": target,
    }
    related = dict.fromkeys(c.key for c in control.checks)
    if related:
        finding["related-observations"] = [{"observation-uuid": ids(f"check/{key}")} for key in related]
    if control.manual_evidence:
        finding["remarks"] = printable(f"Manual evidence requested: {control.manual_evidence}")
    return finding


def _selected(controls: Iterable[ControlResult]) -> list[JSON]:
    return [{"control-id": token} for token in dict.fromkeys(control_token(c.id) for c in controls)]


def assessment_results(pack: Pack, framework_id: str) -> JSON:
    """The OSCAL document of one framework of `pack`, as JSON-ready data."""
    fr = select_framework(pack, framework_id)
    ids = _Ids(pack, fr.id)
    collection = pack.collection
    refs = {e.path: e for e in pack.evidence}
    inventory, account_ids, resource_ids = _inventory(pack, fr, ids)
    observations = [_snapshot_observation(ref, ids, account_ids) for ref in pack.evidence]
    observations += [_check_observation(cr, pack, ids, resource_ids, refs) for cr in fr.checks]
    plan = ids("back-matter/assessment-plan")
    result: JSON = {
        "uuid": ids("result"),
        "title": _line(f"{fr.name} {fr.version}: automated assessment of AWS evidence"),
        "description": printable(
            f"Controls of {fr.name} {fr.version} evaluated from read-only AWS snapshots collected between "
            f"{collection.started_at:%Y-%m-%d %H:%M} and {collection.finished_at:%Y-%m-%d %H:%M} UTC "
            f"in {len(collection.scope.accounts)} account(s) and {len(collection.scope.regions)} region(s)."
        ),
        "start": collection.period.start,
        "end": collection.period.end,
        "props": [_prop("pack-id", pack.pack_id)],
        "local-definitions": {"inventory-items": inventory},
        "reviewed-controls": {"control-selections": [{"include-controls": _selected(fr.controls)}]},
        "findings": [_finding(c, ids) for c in fr.controls],
    }
    if observations:
        result["observations"] = observations
    return {
        "assessment-results": {
            "uuid": ids("document"),
            "metadata": {
                "title": _line(f"{fr.name} {fr.version} assessment results (evidence pack {pack.pack_id[:16]})"),
                "last-modified": collection.finished_at,
                "version": pack.pack_id,
                "oscal-version": OSCAL_VERSION,
                "props": [_prop("pack-id", pack.pack_id), _prop("framework", fr.id)],
                "parties": [{"uuid": ids("party/tool"), "type": "organization",
                             "name": _line(f"evidence {pack.tool_version}"),
                             "remarks": "The open-source collector and evaluator that wrote this document."}],
            },
            "import-ap": {
                "href": f"#{plan}",
                "remarks": "No separate assessment plan: the plan is the framework mapping the pack was evaluated "
                           "with. The reference points to the back-matter resource that says so.",
            },
            "results": [result],
            "back-matter": {"resources": [{
                "uuid": plan,
                "title": "Assessment plan placeholder",
                "description": printable(
                    f"The assessment followed the {fr.name} {fr.version} mapping of the evidence tool "
                    f"(source: {fr.source}); pack.json holds the evaluated mapping."
                ),
            }]},
        }
    }


def render_oscal(pack: Pack, framework_id: str, out: Path) -> None:
    """Write the OSCAL assessment-results JSON of one framework of `pack` to `out`."""
    data = canonical_json(assessment_results(pack, framework_id))
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise RenderError(f"cannot write {out}: {exc.strerror}") from None
