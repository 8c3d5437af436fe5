"""The `evidence` command line: parse options, call the library, map errors to exit codes.

Exit codes: 0 a pack was written (or verified); 1 `verify` found a problem, or `--fail-on`
matched; 2 bad input or an environment problem, reported in one line on stderr.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from evidence import registry, store
from evidence.attachments import AttachmentError, apply_attachments, read_register
from evidence.attachments import attach as attach_file
from evidence.aws import AwsError, ClientFactory
from evidence.cli_cloudtrail import app as cloudtrail_app
from evidence.cli_diff import print_diff
from evidence.cli_frameworks import app as frameworks_app
from evidence.collect import shard_accounts
from evidence.config import ConfigError, load_config, option_defaults
from evidence.diff import DIFF_JSON, DiffError, diff_packs
from evidence.exceptions import ExceptionsError, load_register
from evidence.frameworks import FrameworkError, resolve
from evidence.models import Evidence, Framework, Pack, Status
from evidence.pipeline import (
    DEFAULT_FORMATS,
    PeriodError,
    PipelineError,
    ReportFormat,
    Target,
    collect_into,
    diff_in,
    evaluate_in,
    make_period,
    merge_shards,
    organization_accounts,
    reach_accounts,
    report_in,
)
from evidence.signing import SigningError, check_signature, read_signature, sign_with_key, sign_with_kms
from evidence.signoff import (
    SIGNOFF,
    Decision,
    SignOffError,
    is_rendered,
    make_signoff,
    signoff_view,
    signoff_view_of,
)
from evidence.store import StoreError

app = typer.Typer(
    name="evidence",
    help="Read-only AWS compliance evidence collection and auditor-ready evidence packs.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)
err = Console(stderr=True, highlight=False)

ALL_FRAMEWORKS = "soc2,pci-dss,hipaa,gdpr"


class UsageError(Exception):
    """An option value that cannot be used."""


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    return typer.Exit(code)


@contextmanager
def _errors() -> Iterator[None]:
    """Turn every expected failure into one line on stderr and exit code 2."""
    from evidence.render import RenderError

    try:
        yield
    except (
        AwsError, StoreError, FrameworkError, PeriodError, PipelineError, UsageError, RenderError,
        registry.RegistryError, ExceptionsError, AttachmentError, SignOffError, SigningError,
        ConfigError, DiffError,
    ) as exc:
        raise _fail(str(exc)) from None


# ----------------------------------------------------------------------------- options

FrameworksOpt = Annotated[
    str, typer.Option("--frameworks", "-f", help="Comma-separated framework ids: soc2, pci-dss, hipaa, gdpr.")
]
FrameworkFileOpt = Annotated[
    list[Path] | None, typer.Option("--framework-file", help="An extra framework YAML file (repeatable).")
]
RegionsOpt = Annotated[
    str, typer.Option("--regions", "-r", help="Comma-separated regions, or `all` for every enabled region.")
]
ProfileOpt = Annotated[str | None, typer.Option("--profile", help="AWS named profile (default: standard chain).")]
StartOpt = Annotated[
    datetime | None, typer.Option("--period-start", help="Audit period start (UTC). Default: 90 days before the end.")
]
EndOpt = Annotated[datetime | None, typer.Option("--period-end", help="Audit period end (UTC). Default: now.")]
CompanyOpt = Annotated[str | None, typer.Option("--company", help="Company name for the report cover.")]
LogoOpt = Annotated[Path | None, typer.Option("--logo", help="Logo image (PNG/SVG) for the report cover.")]
OrgOpt = Annotated[
    bool, typer.Option("--organization", help="Every active account of the AWS Organization (from the management "
                       "or a delegated administrator account), through --role-name.")
]
AccountsOpt = Annotated[
    str | None, typer.Option("--accounts", help="Comma-separated account ids to restrict --organization to.")
]
RoleOpt = Annotated[str, typer.Option("--role-name", help="Role assumed in each member account.")]
ExternalIdOpt = Annotated[str | None, typer.Option("--external-id", help="External id for the assumed role.")]
DurationOpt = Annotated[
    int, typer.Option("--session-duration", help="Assumed-role session length in seconds (refreshed as needed).")
]
ResumeOpt = Annotated[
    bool, typer.Option("--resume", help="Continue an interrupted collection into the same --out.")
]
OnlyOpt = Annotated[
    str | None, typer.Option("--only", help="Collect only these collectors (comma-separated key patterns, e.g. "
                             "'iam.*,s3.buckets'); checks whose evidence is not collected are not_evaluated.")
]
ShardOpt = Annotated[
    str | None,
    typer.Option("--shard", help="Collect slice i of n of the (account, region) pairs: `i/n`, or `auto/n` to read the "
                 "index from AWS_BATCH_JOB_ARRAY_INDEX or JOB_COMPLETION_INDEX. Join with `evidence merge`."),
]
ExceptionsOpt = Annotated[
    Path | None, typer.Option("--exceptions", help="Exceptions register (YAML): accepted risks with expiry.")
]
FailOnOpt = Annotated[
    str | None, typer.Option("--fail-on", help="Exit 1 when any control has this status (e.g. fail), for CI gating.")
]
PreviousOpt = Annotated[
    Path | None, typer.Option("--previous", help="The previous pack of the same estate: adds what changed since it "
                              "(diff.json, a Changes section in the PDF and a Changes sheet in the workbook).")
]


def _config_defaults(ctx: typer.Context, value: Path | None) -> Path | None:
    """Read the configuration file first (the option is eager): its settings become the defaults of the
    command's options, so an option given on the command line wins."""
    if value is None:
        return None
    try:
        config = load_config(value)
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    names = {p.name for p in ctx.command.params}
    ctx.default_map = {k: v for k, v in option_defaults(config, value.parent).items() if k in names}
    return value


ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", "-c", callback=_config_defaults, is_eager=True,
                 help="Settings file (YAML, see evidence.example.yaml); options given on the command line win."),
]


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _frameworks(ids: str, files: list[Path] | None) -> list[Framework]:
    chosen = resolve(_split(ids), files or [])
    if not chosen:
        raise UsageError("no framework selected: use --frameworks or --framework-file")
    return chosen


def _regions(value: str, factory: ClientFactory) -> tuple[str, ...]:
    names = _split(value)
    if names == ["all"]:
        return factory.enabled_regions()
    if not names:
        raise UsageError("no region given: use --regions us-east-1,eu-west-1 or --regions all")
    import boto3

    known = set(boto3.Session().get_available_regions("ec2")) | set(
        boto3.Session().get_available_regions("ec2", partition_name="aws-us-gov")
    ) | set(boto3.Session().get_available_regions("ec2", partition_name="aws-cn"))
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UsageError(f"unknown region {unknown[0]!r}")
    return tuple(dict.fromkeys(names))


def _formats(value: str) -> tuple[ReportFormat, ...]:
    try:
        formats = tuple(dict.fromkeys(ReportFormat(n) for n in _split(value)))
    except ValueError:
        formats = ()
    if not formats:
        raise UsageError(f"--format takes a comma-separated list of: {', '.join(f.value for f in ReportFormat)}")
    return formats


def _fail_on(value: str | None) -> Status | None:
    if value is None:
        return None
    try:
        return Status(value)
    except ValueError:
        raise UsageError(f"--fail-on takes one of: {', '.join(s.value for s in Status)}") from None


def _default_out(prefix: str) -> Path:
    return Path("output") / f"{prefix}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"


@contextmanager
def _progress(total_hint: str) -> Iterator[Progress]:
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[last]}"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
        disable=not err.is_terminal,
    )
    with progress:
        yield progress


def _collect_with_progress(folder: Path, target: Target) -> None:
    before = store.collected_counts(folder)
    already = sum(n for n, _ in before.values())
    if already:
        err.print(f"Resuming: {already} snapshot(s) were collected before the interruption.")
    several = len(target.accounts) > 1
    with _progress("collect") as progress:
        task = progress.add_task("Collecting", total=None, completed=already, last="")
        left: dict[str, int] = {}
        taken: Counter[str] = Counter({a: n for a, (n, _) in before.items()})
        gaps: Counter[str] = Counter({a: g for a, (_, g) in before.items()})

        def plan(counts: Mapping[str, int]) -> None:
            left.update(counts)
            progress.update(task, total=already + sum(counts.values()))

        def done(ev: Evidence) -> None:
            taken[ev.account_id] += 1
            gaps[ev.account_id] += ev.error is not None
            progress.update(task, advance=1, last=f"{ev.account_id} {ev.key} {ev.region}")
            left[ev.account_id] -= 1
            if several and not left[ev.account_id]:
                finished = sum(1 for n in left.values() if not n)
                progress.console.print(f"Account {ev.account_id} done ({finished} of {len(left)}): "
                                       f"{taken[ev.account_id]} snapshot(s), {gaps[ev.account_id]} gap(s)")

        info = collect_into(folder, target, on_done=done, on_plan=plan)
    accounts = len(info.scope.accounts)
    skipped = sum(len(r.regions) for r in info.regions_not_enabled)
    not_enabled = f" ({skipped} account-region(s) not enabled, not collected)" if skipped else ""
    err.print(f"Collected {taken.total()} snapshots from {accounts} account(s) in {len(target.regions)} "
              f"region(s){not_enabled}; {gaps.total()} gap(s).")


def _summary(pack: Pack) -> None:
    for fw in pack.frameworks:
        counts = fw.counts()
        parts = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
        err.print(f"  {fw.name}: {len(fw.controls)} controls — {parts}")


def _gate(pack: Pack, status: Status | None) -> int:
    if status is None:
        return 0
    hits = sum(1 for fw in pack.frameworks for c in fw.controls if c.status is status)
    if hits:
        err.print(f"{hits} control(s) are {status.value} (--fail-on {status.value}).")
        return 1
    return 0


@dataclass(frozen=True)
class Reach:
    organization: bool = False
    accounts: str | None = None
    role_name: str = "OrganizationAccountAccessRole"
    external_id: str | None = None
    session_duration: int = 3600


def _shard(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    index_text, _, count_text = value.partition("/")
    if index_text == "auto":
        index_text = os.environ.get("AWS_BATCH_JOB_ARRAY_INDEX") or os.environ.get("JOB_COMPLETION_INDEX") or ""
        if not index_text:
            raise UsageError("--shard auto/n needs AWS_BATCH_JOB_ARRAY_INDEX or JOB_COMPLETION_INDEX")
    try:
        index, count = int(index_text), int(count_text)
    except ValueError:
        raise UsageError(f"--shard takes i/n (e.g. 0/4), not {value!r}") from None
    if not 0 <= index < count:
        raise UsageError(f"--shard {index}/{count}: the index must be between 0 and {count - 1}")
    return index, count


def _target(
    profile: str | None,
    regions: str,
    start: datetime | None,
    end: datetime | None,
    reach: Reach,
    shard: tuple[int, int] | None = None,
) -> Target:
    factory = ClientFactory.from_options(profile=profile)
    period = make_period(start, end, day_aligned=shard is not None)
    if reach.accounts and not reach.organization:
        raise UsageError("--accounts restricts --organization: add --organization")
    named = None if _split(regions) == ["all"] else _regions(regions, factory)  # refused before AWS is called
    factory.identity(named[0] if named else "us-east-1")
    target = Target(factory=factory, regions=named or _regions(regions, factory), period=period, shard=shard)
    return _reach(target, reach)


def _reach(target: Target, reach: Reach) -> Target:
    if not reach.organization:
        return target
    org_id, ids = organization_accounts(target.factory, only=_split(reach.accounts or ""))
    found = f"Organization {org_id}: {len(ids)} account(s)"
    if target.shard is not None:
        index, count = target.shard
        found += f"; shard {index}/{count} collects from {len(shard_accounts(ids, target.regions, target.shard))}"
    err.print(f"{found}; assuming {reach.role_name} in each...")
    accounts = reach_accounts(target.factory, ids, role_name=reach.role_name, external_id=reach.external_id,
                              duration_seconds=reach.session_duration, shard=target.shard, regions=target.regions)
    for a in accounts:
        if a.error is not None:
            err.print(f"[yellow]gap:[/] account {a.account_id} cannot be reached: {a.error.message}")
    return replace(target, accounts=accounts, organization_id=org_id)


# ----------------------------------------------------------------------------- commands


@app.command()
def run(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Pack folder to create.")] = None,
    frameworks: FrameworksOpt = ALL_FRAMEWORKS,
    framework_file: FrameworkFileOpt = None,
    regions: RegionsOpt = "all",
    profile: ProfileOpt = None,
    period_start: StartOpt = None,
    period_end: EndOpt = None,
    company: CompanyOpt = None,
    logo: LogoOpt = None,
    fail_on: FailOnOpt = None,
    organization: OrgOpt = False,
    accounts: AccountsOpt = None,
    role_name: RoleOpt = "OrganizationAccountAccessRole",
    external_id: ExternalIdOpt = None,
    session_duration: DurationOpt = 3600,
    resume: ResumeOpt = False,
    exceptions: ExceptionsOpt = None,
    previous: PreviousOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Collect, evaluate and report in one go: writes a complete evidence pack."""
    with _errors():
        gate = _fail_on(fail_on)
        chosen = _frameworks(frameworks, framework_file)
        before = store.read_pack(previous) if previous is not None else None  # refused before collecting
        if resume and out is None:
            raise UsageError("--resume needs the --out of the interrupted run")
        reach = Reach(organization, accounts, role_name, external_id, session_duration)
        target = _target(profile, regions, period_start, period_end, reach)
        dest = out or _default_out("pack")
        if exceptions is not None:
            load_register(exceptions)  # refuse a bad register before collecting anything
        pack = _run_pipeline(dest, target, chosen, company=company, logo=logo, resume=resume, exceptions=exceptions,
                             previous=before)
    raise typer.Exit(_gate(pack, gate))


def _run_pipeline(
    dest: Path,
    target: Target,
    frameworks: list[Framework],
    *,
    company: str | None,
    logo: Path | None,
    resume: bool = False,
    exceptions: Path | None = None,
    previous: Pack | None = None,
) -> Pack:
    with _interrupt_hint(dest), store.collecting_pack(dest, resume=resume) as folder:
        _collect_with_progress(folder, target)
        pack = evaluate_in(folder, frameworks, exceptions=exceptions)
        if previous is not None:
            pack = diff_in(folder, pack, previous)
        err.print("Rendering reports...")
        report_in(folder, pack, company=company, logo=logo)
    err.print(f"Evidence pack written to [bold]{dest}[/] (pack id {pack.pack_id[:16]}…)")
    _summary(pack)
    print(dest)
    return pack


@contextmanager
def _interrupt_hint(dest: Path) -> Iterator[None]:
    try:
        yield
    except (KeyboardInterrupt, AwsError):
        if store.partial_folder(dest).exists():
            err.print(f"Interrupted: what was collected is kept; continue with the same command plus "
                      f"--resume --out {dest}")
        raise


@app.command("collect")
def collect_cmd(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Pack folder to create.")] = None,
    regions: RegionsOpt = "all",
    profile: ProfileOpt = None,
    period_start: StartOpt = None,
    period_end: EndOpt = None,
    organization: OrgOpt = False,
    accounts: AccountsOpt = None,
    role_name: RoleOpt = "OrganizationAccountAccessRole",
    external_id: ExternalIdOpt = None,
    session_duration: DurationOpt = 3600,
    resume: ResumeOpt = False,
    shard: ShardOpt = None,
    only: OnlyOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Collect read-only snapshots into a new pack folder (no evaluation, no reports)."""
    with _errors():
        if resume and out is None:
            raise UsageError("--resume needs the --out of the interrupted run")
        slice_ = _shard(shard)
        reach = Reach(organization, accounts, role_name, external_id, session_duration)
        target = replace(_target(profile, regions, period_start, period_end, reach, slice_),
                         only=tuple(_split(only or "")))
        dest = out or _default_out(f"shard-{slice_[0]}-of-{slice_[1]}" if slice_ else "pack")
        with _interrupt_hint(dest), store.collecting_pack(dest, resume=resume) as folder:
            _collect_with_progress(folder, target)
    err.print(f"Evidence collected into [bold]{dest}[/]")
    print(dest)


@app.command("merge")
def merge_cmd(
    shards: Annotated[list[Path], typer.Argument(help="The folders written by `collect --shard i/n`, all n of them.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Pack folder to create.")] = None,
    frameworks: FrameworksOpt = ALL_FRAMEWORKS,
    framework_file: FrameworkFileOpt = None,
    company: CompanyOpt = None,
    logo: LogoOpt = None,
) -> None:
    """Join the shards of one sharded collection into one evaluated, rendered pack."""
    with _errors():
        chosen = _frameworks(frameworks, framework_file)
        dest = out or _default_out("pack")
        with store.staged_pack(dest) as folder:
            info = merge_shards(folder, shards)
            pack = evaluate_in(folder, chosen)
            report_in(folder, pack, company=company, logo=logo)
    err.print(f"Merged {len(shards)} shard(s) covering {len(info.scope.accounts)} account(s) into [bold]{dest}[/]")
    _summary(pack)
    print(dest)


@app.command("evaluate")
def evaluate_cmd(
    pack_dir: Annotated[Path, typer.Argument(help="A pack folder written by collect or run.")],
    frameworks: FrameworksOpt = ALL_FRAMEWORKS,
    framework_file: FrameworkFileOpt = None,
    exceptions: ExceptionsOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Evaluate the collected evidence against frameworks, offline; writes pack.json."""
    with _errors():
        chosen = _frameworks(frameworks, framework_file)
        with store.staged_pack(pack_dir, update=True) as folder:
            for stale in folder.iterdir():
                if is_rendered(stale.name) or stale.name == DIFF_JSON:
                    stale.unlink()
            pack = evaluate_in(folder, chosen, exceptions=exceptions)
    err.print(f"Evaluated {pack_dir}; run `evidence report {pack_dir}` to render the reports.")
    _summary(pack)


@app.command("report")
def report_cmd(
    pack_dir: Annotated[Path, typer.Argument(help="An evaluated pack folder (with pack.json).")],
    company: CompanyOpt = None,
    logo: LogoOpt = None,
    previous: PreviousOpt = None,
    format_: Annotated[
        str, typer.Option("--format", help="Comma-separated report formats: pdf, xlsx, oscal (OSCAL assessment "
                          "results).")
    ] = ",".join(DEFAULT_FORMATS),
    config: ConfigOpt = None,
) -> None:
    """Render the reports of every framework in pack.json (PDF and workbook by default), offline."""
    with _errors():
        formats = _formats(format_)
        pack = store.read_pack(pack_dir)
        before = store.read_pack(previous) if previous is not None else None
        view = signoff_view(pack_dir)
        if before is not None and view is not None:
            raise UsageError(f"{pack_dir} is signed off: adding the diff would change its content and void the "
                             "sign-off; report with --previous before signing off")
        with store.staged_pack(pack_dir, update=True) as folder:
            if before is not None:
                pack = diff_in(folder, pack, before)
            written = report_in(folder, pack, company=company, logo=logo, signoff=view, formats=formats)
    err.print(f"Wrote {', '.join(written)} in {pack_dir}")


@app.command("diff")
def diff_cmd(
    old: Annotated[Path, typer.Argument(help="The older pack folder.")],
    new: Annotated[Path, typer.Argument(help="The newer pack folder.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole diff as JSON instead of tables.")] = False,
) -> None:
    """Compare two evaluated packs: new failures, fixed, still failing, resources, controls, lapsed exceptions."""
    with _errors():
        before, after = store.read_pack(old), store.read_pack(new)
    if before.collection.finished_at > after.collection.finished_at:
        err.print(f"note: {old} was collected after {new}; the older pack comes first")
    diff = diff_packs(before, after)
    if as_json:
        sys.stdout.write(store.canonical_json(diff).decode())
    else:
        print_diff(Console(markup=False, highlight=False), diff)


@app.command()
def verify(
    pack_dir: Annotated[Path, typer.Argument(help="A pack folder.")],
    public_key: Annotated[
        Path | None, typer.Option("--public-key", help="PEM public key the pack must be signed with.")
    ] = None,
) -> None:
    """Re-hash every file of a pack against its manifest, check its signature and sign-off; exit 1 on any problem."""
    with _errors():
        if public_key is not None and not public_key.is_file():
            raise UsageError(f"{public_key}: no such public key file")
        result = store.verify(pack_dir)
        signed = read_signature(pack_dir) is not None
        trusted = public_key.read_text(errors="replace") if public_key is not None else None
        sig_ok, sig_text = check_signature(pack_dir, trusted_pem=trusted) if signed or trusted else (True, "")
        view = signoff_view(pack_dir)
    for rel in result.changed:
        err.print(f"[red]changed:[/] {rel}")
    for rel in result.missing:
        err.print(f"[red]missing:[/] {rel}")
    for rel in result.extra:
        err.print(f"[red]not in manifest:[/] {rel}")
    if not result.digest_ok:
        err.print("[red]the manifest's pack id does not match its evidence entries[/]")
    if not result.canonical:
        err.print("[red]manifest.json was edited: it is not the JSON evidence writes for its content[/]")
    if sig_text:
        err.print(("Signature: " if sig_ok else "[red]signature:[/] ") + sig_text)
    if view is not None:
        err.print(f"Sign-off: {view.decision} by {view.name} ({view.role}) on {view.signed_at:%Y-%m-%d} — {view.note}")
    if not (result.ok and sig_ok and (view is None or view.valid)):
        err.print(f"Pack {pack_dir} FAILED verification.")
        raise typer.Exit(1)
    err.print(f"Pack {pack_dir} verified: {result.checked} files match the manifest.")


@app.command()
def sign(
    pack_dir: Annotated[Path, typer.Argument(help="A pack folder.")],
    key: Annotated[Path | None, typer.Option("--key", help="Ed25519 private key (PEM) to sign with.")] = None,
    kms_key_id: Annotated[str | None, typer.Option("--kms-key-id", help="AWS KMS asymmetric key to sign with.")] = None,
    region: Annotated[str, typer.Option("--region", help="Region of the KMS key.")] = "us-east-1",
    profile: ProfileOpt = None,
) -> None:
    """Write a detached signature over manifest.json (manifest.sig.json)."""
    with _errors():
        if (key is None) == (kms_key_id is None):
            raise UsageError("give exactly one of --key or --kms-key-id")
        if not store.verify(pack_dir).ok:
            raise UsageError(f"{pack_dir} fails verification; a changed pack is not signed")
        if key is not None:
            sig = sign_with_key(pack_dir, key)
        else:
            assert kms_key_id is not None
            factory = ClientFactory.from_options(profile=profile, allow={"kms:Sign"})
            sig = sign_with_kms(pack_dir, factory, kms_key_id, region)
    err.print(f"Signed {pack_dir}/manifest.json with {sig.signer}.")


@app.command()
def signoff(
    pack_dir: Annotated[Path, typer.Argument(help="A pack folder.")],
    name: Annotated[str, typer.Option("--name", help="Who signs the pack off.")],
    role: Annotated[str, typer.Option("--role", help="Their role, e.g. CISO.")],
    decision: Annotated[Decision, typer.Option("--decision", help="approved or rejected.")],
    comment: Annotated[str, typer.Option("--comment", help="Why, or under which conditions.")] = "",
) -> None:
    """Record the security lead's decision, bound to the pack's content, and re-render the reports with it."""
    with _errors():
        if not store.verify(pack_dir).ok:
            raise UsageError(f"{pack_dir} fails verification; a changed pack cannot be signed off")
        signed_by = None
        if read_signature(pack_dir) is not None:
            ok, text = check_signature(pack_dir)
            if not ok:
                raise UsageError(f"the pack's signature is not valid: {text}")
            signed_by = text
        record = make_signoff(pack_dir, name=name, role=role, decision=decision, comment=comment,
                              signed_by=signed_by)
        pack = store.read_pack(pack_dir)
        with store.staged_pack(pack_dir, update=True) as folder:
            store.write_file(folder, SIGNOFF, store.canonical_json(record))
            view = signoff_view_of(record, valid=True)
            report_in(folder, pack, signoff=view)
    err.print(f"Sign-off recorded: {decision.value} by {name} ({role}). Reports re-rendered with the sign-off page.")
    if signed_by:
        err.print("The manifest changed: sign the pack again (`evidence sign`) to cover the sign-off.")


@app.command()
def attach(
    pack_dir: Annotated[Path, typer.Argument(help="A pack folder.")],
    control: Annotated[str, typer.Option("--control", help="Control id, e.g. CC1.1.")],
    file: Annotated[Path, typer.Option("--file", help="The document to attach.")],
    note: Annotated[str, typer.Option("--note", help="What it is and why it evidences the control.")],
    framework: Annotated[
        str | None, typer.Option("--framework", help="Framework id, when the control id is ambiguous.")
    ] = None,
    by: Annotated[str | None, typer.Option("--by", help="Who attaches it (default: the current user).")] = None,
) -> None:
    """Attach manual evidence to a control: copied into the pack, hashed, shown in the reports."""
    with _errors():
        pack = store.read_pack(pack_dir)
        known = {c.id for fw in pack.frameworks if framework in (None, fw.id) for c in fw.controls}
        who = by or os.environ.get("USER") or "unknown"
        view = signoff_view(pack_dir)
        with store.staged_pack(pack_dir, update=True) as folder:
            item = attach_file(folder, control=control, framework=framework, source=file, note=note,
                               attached_by=who, known_controls=known)
            registered = read_register(folder)
            frameworks = tuple(apply_attachments(fw, registered, pack.collection.finished_at)
                               for fw in pack.frameworks)
            pack = pack.model_copy(update={"frameworks": frameworks})
            store.write_file(folder, store.PACK_JSON, store.canonical_json(pack))
            report_in(folder, pack, signoff=view)
    err.print(f"Attached {item.path} (sha256 {item.sha256[:16]}…) to control {control}.")


@app.command()
def demo(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Pack folder to create.")] = None,
    frameworks: FrameworksOpt = ALL_FRAMEWORKS,
) -> None:
    """Start the built-in demo account on a local AWS emulator and write a real pack from it."""
    from evidence.demo.emulator import EmulatorUnavailable

    with _errors():
        try:
            from evidence.demo.run import demo_target
        except EmulatorUnavailable as exc:
            raise _fail(str(exc)) from None
        chosen = _frameworks(frameworks, None)
        dest = out or _default_out("demo")
        try:
            with demo_target(err) as target:
                _run_pipeline(dest, target, chosen, company="Example Corp (demo)", logo=None)
        except EmulatorUnavailable as exc:
            raise _fail(str(exc)) from None


@app.command("iam-policy")
def iam_policy() -> None:
    """Print the minimal read-only IAM policy the collecting identity needs."""
    from evidence.iam_policy import policy_document

    print(policy_document())


app.add_typer(frameworks_app, name="frameworks", help="List, show, lint frameworks and their coverage.")
app.add_typer(cloudtrail_app, name="cloudtrail", help="CloudTrail log-file integrity, standalone.")


def main() -> None:
    """Console entry point: a bug shows one line unless EVIDENCE_DEBUG=1 asks for the traceback."""
    try:
        app()
    except Exception as exc:  # an unexpected defect: say so plainly
        if os.environ.get("EVIDENCE_DEBUG"):
            raise
        err.print(f"[bold red]internal error:[/] {type(exc).__name__}: {exc} (set EVIDENCE_DEBUG=1 for details)")
        sys.exit(3)
