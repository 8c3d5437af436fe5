"""Generate frameworks/*.yaml from the research reference and the checks registered right now.

    .venv/bin/python tools/sync_frameworks.py --reference ../shared/reference

The reference (controls_<framework>.yaml and catalogue.yaml) maps every control of SOC 2, PCI DSS
v4.0.1, the HIPAA Security Rule and GDPR to evidence-check concepts. This tool keeps every control
and maps it to the concepts that are registered checks (`evidence.registry.checks()`), so it is
re-run whenever checks are added:

- a check's role is `primary` when the reference's confidence is primary, else `secondary`; on a
  control the reference calls manual every check is secondary (supporting context that cannot
  decide the control);
- `config_rules` is the union of the AWS Config managed rules of all mapped concepts, registered
  or not, for the Config cross-check;
- a control the reference calls automated, with no registered primary check, is written as manual
  (with a configuration-evidence request and a note) until its checks exist;
- HIPAA controls carry `implementation: required | addressable`; controls AWS carries in its own
  audited data centres are `inherited: true` with a request for AWS's audit reports;
- per-framework check parameters (PARAMS) are set only where the registered check accepts them.

It also writes the JSON Schema of the framework model next to the YAML files (`--schema-only`
rewrites just that, after a change to the model). Output is
deterministic: the reference's control order, primary checks before secondary ones, sorted rules.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a source checkout, installed or not

from evidence import registry
from evidence.frameworks import SCHEMA_FILE, frameworks_dir, parse, problems, schema_text
from evidence.registry import CheckSpec

# Check parameters per framework: check id -> parameter -> {framework id or "*": value}.
PARAMS: dict[str, dict[str, dict[str, Any]]] = {
    "iam.password_policy_min_length": {"min_length": {"pci-dss": 12, "*": 14}},
    "iam.password_policy_reuse_prevention": {"min_remembered": {"pci-dss": 4, "*": 24}},
    "iam.password_policy_max_age": {"max_age_days": {"*": 90}},
    "iam.access_keys_rotated": {"max_age_days": {"*": 90}},
    "iam.unused_credentials_disabled": {"max_unused_days": {"*": 90}},
    "iam.root_not_used_recently": {"lookback_days": {"*": 90}},
    "cloudwatch.log_group_retention_min": {"min_days": {"*": 365}},
    "acm.certificate_not_expiring": {"min_days_remaining": {"*": 30}},
    "secretsmanager.secret_unused": {"max_unused_days": {"*": 90}},
}

AWS_SOC2_REQUEST = (
    "For AWS data centres, request AWS's current SOC 2 Type II report from AWS Artifact and review its "
    "physical and environmental controls and the complementary user entity controls it lists."
)
AWS_PCI_REQUEST = (
    "For AWS data centres, download AWS's PCI DSS Attestation of Compliance (AOC) and PCI DSS "
    "Responsibility Summary from AWS Artifact and confirm this requirement is assigned to AWS; "
    "for your own premises, provide your own records."
)
MAX_LISTED_SETTINGS = 8


@dataclass(frozen=True)
class Spec:
    """What the generator needs to know about one framework beyond the reference file."""

    id: str
    reference: str
    name: str
    version: str
    source: str
    sections: tuple[tuple[str, str], ...]
    section_of: Callable[[str], str]
    inherited: frozenset[str] = frozenset()
    inherited_request: str = ""
    addressable: frozenset[str] | None = None  # HIPAA only: the addressable specifications
    manual_evidence: Mapping[str, str] = field(default_factory=dict)  # replaces the reference's text


def _ids(*groups: str) -> frozenset[str]:
    """Control ids written as space-separated groups."""
    return frozenset(" ".join(groups).split())


def _prefix(control_id: str) -> str:
    return control_id.split(".", 1)[0]


def _hipaa_section(control_id: str) -> str:
    return control_id[:7]


_GDPR_CHAPTERS = ((5, 11, "Chapter II"), (12, 23, "Chapter III"), (24, 43, "Chapter IV"), (44, 50, "Chapter V"))


def _gdpr_section(control_id: str) -> str:
    match = re.match(r"Art\.(\d+)", control_id)
    if match is None:
        raise ValueError(f"GDPR control {control_id} does not name an article")
    article = int(match.group(1))
    for first, last, chapter in _GDPR_CHAPTERS:
        if first <= article <= last:
            return chapter
    raise ValueError(f"GDPR article {article} is outside chapters II to V")


_PCI_REQUIREMENTS = (
    ("1", "Network security controls"),
    ("2", "Secure configuration of all system components"),
    ("3", "Protection of stored account data"),
    ("4", "Strong cryptography for cardholder data sent over open, public networks"),
    ("5", "Protection of systems and networks from malicious software"),
    ("6", "Secure systems and software"),
    ("7", "Access restricted to business need to know"),
    ("8", "User identification and authentication"),
    ("9", "Restricted physical access to cardholder data"),
    ("10", "Logging and monitoring of access to system components and cardholder data"),
    ("11", "Regular testing of system and network security"),
    ("12", "Information security policies and programmes"),
    ("A1", "Appendix A1: additional requirements for multi-tenant service providers"),
    ("A2", "Appendix A2: SSL/early TLS for card-present POS POI terminal connections"),
    ("A3", "Appendix A3: Designated Entities Supplemental Validation (DESV)"),
)

_POI = (
    "Inventory of POI (payment terminal) devices with inspection and tamper-training records, or a scoping "
    "statement that no POI devices are in scope. AWS does not operate POI devices, so nothing is inherited here."
)

SPECS: tuple[Spec, ...] = (
    Spec(
        id="soc2",
        reference="controls_soc2.yaml",
        name="SOC 2",
        version="TSC 2017, revised points of focus 2022",
        source="AICPA Trust Services Criteria for Security, Availability, Processing Integrity, Confidentiality "
        "and Privacy (2017, with revised points of focus 2022)",
        sections=(
            ("CC1", "Control environment"),
            ("CC2", "Information and communication"),
            ("CC3", "Risk assessment"),
            ("CC4", "Monitoring activities"),
            ("CC5", "Control activities"),
            ("CC6", "Logical and physical access controls"),
            ("CC7", "System operations"),
            ("CC8", "Change management"),
            ("CC9", "Risk mitigation"),
            ("A1", "Additional criteria for availability"),
            ("C1", "Additional criteria for confidentiality"),
            ("PI1", "Additional criteria for processing integrity"),
            ("P1", "Privacy: notice"),
            ("P2", "Privacy: choice and consent"),
            ("P3", "Privacy: collection"),
            ("P4", "Privacy: use, retention and disposal"),
            ("P5", "Privacy: access"),
            ("P6", "Privacy: disclosure and notification"),
            ("P7", "Privacy: quality"),
            ("P8", "Privacy: monitoring and enforcement"),
        ),
        section_of=_prefix,
        inherited=frozenset({"CC6.4", "CC6.5"}),
        inherited_request=AWS_SOC2_REQUEST,
    ),
    Spec(
        id="pci-dss",
        reference="controls_pci_dss_4.yaml",
        name="PCI DSS",
        version="v4.0.1",
        source=(
            "PCI Security Standards Council, Payment Card Industry Data Security Standard v4.0.1 (June 2024), "
            "https://www.pcisecuritystandards.org/document_library/"
        ),
        sections=_PCI_REQUIREMENTS,
        section_of=_prefix,
        inherited=_ids(
            # anti-spoofing in AWS's network, and physical security and media of AWS data centres
            "1.4.3 9.2.1 9.2.1.1 9.2.2 9.2.3 9.2.4 9.3.1 9.3.1.1 9.3.2 9.3.3 9.3.4 ",
            "9.4.1 9.4.1.1 9.4.1.2 9.4.2 9.4.3 9.4.4 9.4.5 9.4.5.1 9.4.6 9.4.7",
        ),
        inherited_request=AWS_PCI_REQUEST,
        manual_evidence={cid: _POI for cid in ("9.5.1", "9.5.1.1", "9.5.1.2", "9.5.1.2.1", "9.5.1.3")},
    ),
    Spec(
        id="hipaa",
        reference="controls_hipaa.yaml",
        name="HIPAA Security Rule",
        version="45 CFR 164 Subpart C",
        source="U.S. Department of Health and Human Services, 45 CFR Part 164 Subpart C: Security Standards for "
        "the Protection of Electronic Protected Health Information, "
        "https://www.ecfr.gov/current/title-45/subtitle-A/subchapter-C/part-164/subpart-C",
        sections=(
            ("164.308", "Administrative safeguards"),
            ("164.310", "Physical safeguards"),
            ("164.312", "Technical safeguards"),
            ("164.314", "Organisational requirements"),
            ("164.316", "Policies, procedures and documentation"),
        ),
        section_of=_hipaa_section,
        inherited=_ids(
            # facility and media safeguards of AWS data centres
            "164.310(a)(1) 164.310(a)(2)(i) 164.310(a)(2)(ii) 164.310(a)(2)(iii) 164.310(a)(2)(iv) ",
            "164.310(d)(1) 164.310(d)(2)(i) 164.310(d)(2)(ii) 164.310(d)(2)(iii)",
        ),
        inherited_request=AWS_SOC2_REQUEST,
        addressable=_ids(
            "164.308(a)(3)(ii)(A) 164.308(a)(3)(ii)(B) 164.308(a)(3)(ii)(C) 164.308(a)(4)(ii)(B) ",
            "164.308(a)(4)(ii)(C) 164.308(a)(5)(ii)(A) 164.308(a)(5)(ii)(B) 164.308(a)(5)(ii)(C) ",
            "164.308(a)(5)(ii)(D) 164.308(a)(7)(ii)(D) 164.308(a)(7)(ii)(E) 164.310(a)(2)(i) 164.310(a)(2)(ii) ",
            "164.310(a)(2)(iii) 164.310(a)(2)(iv) 164.310(d)(2)(iii) 164.310(d)(2)(iv) 164.312(a)(2)(iii) ",
            "164.312(a)(2)(iv) 164.312(c)(2) 164.312(e)(2)(i) 164.312(e)(2)(ii)",
        ),
    ),
    Spec(
        id="gdpr",
        reference="controls_gdpr.yaml",
        name="GDPR",
        version="Regulation (EU) 2016/679",
        source="Regulation (EU) 2016/679 of the European Parliament and of the Council (General Data Protection "
        "Regulation), https://eur-lex.europa.eu/eli/reg/2016/679/oj",
        sections=(
            ("Chapter II", "Principles"),
            ("Chapter III", "Rights of the data subject"),
            ("Chapter IV", "Controller and processor"),
            ("Chapter V", "Transfers of personal data to third countries or international organisations"),
        ),
        section_of=_gdpr_section,
    ),
)

_HIPAA_MARK = re.compile(r"\s*\((R|A|R, clearinghouses only)\)$")


def _param_value(values: Mapping[str, Any], framework_id: str) -> Any:
    return values.get(framework_id, values["*"])


def _params(check: CheckSpec, framework_id: str) -> dict[str, Any]:
    wanted = PARAMS.get(check.id, {})
    return {name: _param_value(values, framework_id) for name, values in wanted.items() if name in check.params}


def _settings_request(primary: Sequence[str], catalogue: Mapping[str, Mapping[str, Any]], has_rules: bool) -> str:
    settings = [str(catalogue[c]["evaluates"]) for c in primary]
    shown = settings[:MAX_LISTED_SETTINGS]
    if len(settings) > len(shown):
        shown.append(f"and {len(settings) - len(shown)} further settings mapped to this control")
    listed = "; ".join(shown) if shown else "the settings this control relies on"
    rules = "the results of the AWS Config rules listed for this control, or " if has_rules else ""
    return (
        "Until automated checks cover this control, provide for every account and region in scope "
        f"{rules}exports or screenshots of: {listed}."
    )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _title(spec: Spec, control: Mapping[str, Any]) -> tuple[str, str | None]:
    """The control's title, and for HIPAA its implementation (the (R)/(A) marker moves into a field)."""
    title = str(control["title"])
    if spec.addressable is None:
        return title, None
    cid = str(control["id"])
    implementation = "addressable" if cid in spec.addressable else "required"
    match = _HIPAA_MARK.search(title)
    if match is not None:
        marked = "addressable" if match.group(1) == "A" else "required"
        if marked != implementation:
            raise ValueError(f"{spec.id} {cid}: the reference marks it {marked}, the generator says {implementation}")
        title = title[: match.start()]
        if match.group(1) == "R, clearinghouses only":
            title += " (clearinghouses only)"
    return title, implementation


ANALYST_FILE = Path(__file__).with_name("analyst_mappings.yaml")


def _analyst(
    spec: Spec, cid: str, analyst: Mapping[str, Any], refs: list[_Flow], checks: Mapping[str, CheckSpec]
) -> str | None:
    """Apply our own mappings for one control; returns why a check now decides it, if one does."""
    entry = analyst.get(spec.id, {}).get(cid)
    if not entry:
        return None
    have = {r["id"]: r for r in refs}
    for role in ("primary", "secondary"):
        for concept in entry.get(role, []):
            if concept not in checks:
                raise ValueError(f"{ANALYST_FILE.name}: {spec.id} {cid}: {concept} is not a registered check")
            if concept in have:
                if role == "primary":
                    have[concept]["role"] = "primary"
                continue
            params = _params(checks[concept], spec.id)
            ref = _Flow(id=concept, role=role, **({"params": _Flow(params)} if params else {}))
            refs.append(ref)
            have[concept] = ref
    return str(entry["why"]) if entry.get("primary") else None


def build(
    spec: Spec,
    reference: Mapping[str, Any],
    catalogue: Mapping[str, Mapping[str, Any]],
    checks: Mapping[str, CheckSpec],
    analyst: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One framework as plain data, in the order it is written."""
    controls: list[dict[str, Any]] = []
    used_sections: set[str] = set()
    for ref in reference["controls"]:
        cid = str(ref["id"])
        section = spec.section_of(cid)
        used_sections.add(section)
        mapped = list(ref.get("checks") or [])
        evidence = str(ref["evidence"])
        organisational = evidence == "manual"
        registered = [m for m in mapped if m["concept"] in checks]
        refs = [
            _Flow(
                id=m["concept"],
                role="primary" if m["confidence"] == "primary" and not organisational else "secondary",
                **({"params": _Flow(p)} if (p := _params(checks[m["concept"]], spec.id)) else {}),
            )
            for m in registered
        ]
        why = _analyst(spec, cid, analyst or {}, refs, checks)
        refs.sort(key=lambda r: r["role"] != "primary")
        has_primary = any(r["role"] == "primary" for r in refs)
        rules = sorted({rule for m in mapped for rule in (m.get("config_rules") or [])})
        note = ref.get("note")
        if why is not None:
            evidence = "hybrid" if evidence == "manual" else evidence
            note = f"Our mapping: {why}"
        request = spec.manual_evidence.get(cid, _sentence(str(ref.get("manual_evidence") or "")))
        if evidence == "automated" and not has_primary:
            evidence = "manual"
            note = "Automated in intent: manual until its primary checks are registered."
            if not request:
                primary = [m["concept"] for m in mapped if m["confidence"] == "primary"]
                request = _settings_request(primary, catalogue, bool(rules))
        inherited = cid in spec.inherited
        if inherited:
            request = f"{request.rstrip('.')}. {spec.inherited_request}" if request else spec.inherited_request
        if not request and evidence != "automated":
            raise ValueError(f"{spec.id} {cid}: the reference has no manual evidence for a {evidence} control")
        title, implementation = _title(spec, ref)
        control: dict[str, Any] = {"id": cid, "title": title, "section": section, "evidence": evidence}
        if implementation is not None:
            control["implementation"] = implementation
        if inherited:
            control["inherited"] = True
        if refs:
            control["checks"] = refs
        if rules:
            control["config_rules"] = rules
        if request:
            control["manual_evidence"] = request
        if note:
            control["note"] = note
        controls.append(control)
    known = {sid for sid, _ in spec.sections}
    if unknown := used_sections - known:
        raise ValueError(f"{spec.id}: controls in sections the generator does not know: {sorted(unknown)}")
    return {
        "id": spec.id,
        "name": spec.name,
        "version": spec.version,
        "source": spec.source,
        "sections": [{"id": sid, "title": title} for sid, title in spec.sections if sid in used_sections],
        "controls": controls,
    }


class _Flow(dict[str, Any]):
    """A mapping written on one line: a check reference, its parameters."""


class _Dumper(yaml.SafeDumper):
    """Block style with list items indented under their key, for files people read and diff."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_flow(dumper: yaml.SafeDumper, data: _Flow) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


_Dumper.add_representer(_Flow, _represent_flow)


def render(spec: Spec, data: Mapping[str, Any]) -> str:
    header = (
        f"# yaml-language-server: $schema={SCHEMA_FILE}\n"
        f"# {spec.name} ({spec.version}): controls mapped to evidence checks.\n"
        "# Generated by tools/sync_frameworks.py from the research reference and the checks registered when\n"
        "# it ran. Re-run it after registering checks; use an overlay for local changes.\n"
    )
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)
    return header + body


def unmatched_params(checks: Mapping[str, CheckSpec]) -> list[str]:
    """PARAMS entries naming a parameter that the registered check does not have."""
    return [
        f"{cid}: no parameter {name!r} (accepts: {', '.join(sorted(checks[cid].params)) or 'none'})"
        for cid, wanted in sorted(PARAMS.items())
        if cid in checks
        for name in wanted
        if name not in checks[cid].params
    ]


def unmapped(
    checks: Mapping[str, CheckSpec], references: Sequence[Mapping[str, Any]], analyst: Mapping[str, Any]
) -> list[str]:
    """Registered checks that neither a reference control nor our own mappings map."""
    concepts = {m["concept"] for ref in references for c in ref["controls"] for m in c.get("checks") or []}
    for entries in analyst.values():
        concepts |= {k for entry in entries.values() for role in ("primary", "secondary") for k in entry.get(role, [])}
    return sorted(set(checks) - concepts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0] if __doc__ else None)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--reference", type=Path, help="folder holding controls_*.yaml and catalogue.yaml")
    what.add_argument("--schema-only", action="store_true", help="only rewrite the JSON Schema (after a model change)")
    parser.add_argument("--out", type=Path, default=None, help="where to write (default: the shipped frameworks/)")
    args = parser.parse_args(argv)
    out: Path = args.out or frameworks_dir()
    out.mkdir(parents=True, exist_ok=True)
    (out / SCHEMA_FILE).write_text(schema_text(), encoding="utf-8")
    if args.schema_only:
        return 0
    checks = registry.checks()
    with (args.reference / "catalogue.yaml").open(encoding="utf-8") as fh:
        catalogue = {str(c["id"]): c for c in yaml.safe_load(fh)["checks"]}
    for warning in unmatched_params(checks):
        print(f"warning: PARAMS {warning}", file=sys.stderr)
    failed = False
    references = []
    for spec in SPECS:
        with (args.reference / spec.reference).open(encoding="utf-8") as fh:
            reference = yaml.safe_load(fh)
        references.append(reference)
        data = build(spec, reference, catalogue, checks, yaml.safe_load(ANALYST_FILE.read_text()))
        path = out / f"{spec.id}.yaml"
        path.write_text(render(spec, data), encoding="utf-8")
        shown = path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path
        framework = parse(path, yaml.safe_load(path.read_text(encoding="utf-8")))
        found = problems(framework, str(path))
        for problem in found:
            print(problem, file=sys.stderr)
        failed = failed or bool(found)
        automated = sum(1 for c in framework.controls if c.evidence.value == "automated")
        with_primary = sum(1 for c in framework.controls if any(r.role.value == "primary" for r in c.checks))
        print(
            f"{shown}: {len(framework.controls)} controls, {automated} automated, "
            f"{with_primary} with a registered primary check",
            file=sys.stderr,
        )
    for check_id in unmapped(checks, references, yaml.safe_load(ANALYST_FILE.read_text())):
        print(f"note: registered check {check_id} is mapped by no reference control", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
