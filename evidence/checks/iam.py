"""IAM checks: root user, MFA, credentials, password policy, administrative policies."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from evidence.checks import account_arn, age_days, failed, judged, passed
from evidence.checks.policy import grants_full_admin
from evidence.checks.policy_actions import escalation_paths, every_key_grants, service_wildcards
from evidence.models import Evidence, Finding
from evidence.registry import check

ROOT_ROW = "<root_account>"
ADMIN_MANAGED_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"


def _user_rows(ev: Evidence) -> Iterator[dict[str, Any]]:
    for row in ev.data.get("rows", []):
        if row.get("user") != ROOT_ROW:
            yield row


@check("iam.root_mfa_enabled", needs="iam.account_summary", severity="critical")
def root_mfa_enabled(summaries: tuple[Evidence, ...]) -> Iterator[Finding]:
    """The root user is protected by MFA."""
    for ev in summaries:
        yield judged(ev, account_arn(ev), ev.data.get("AccountMFAEnabled") == 1,
                     "The root user has an MFA device.", "The root user has no MFA device.")


@check("iam.root_hardware_mfa_enabled", needs=("iam.account_summary", "iam.virtual_mfa_devices"), severity="high")
def root_hardware_mfa_enabled(summaries: tuple[Evidence, ...], devices: tuple[Evidence, ...]) -> Iterator[Finding]:
    """The root user's MFA is a hardware or FIDO device, not a virtual one."""
    virtual_root = {
        ev.account_id
        for ev in devices
        for d in ev.data or []
        if str(d.get("User", {}).get("Arn", "")).endswith(":root")
    }
    for ev in summaries:
        if ev.data.get("AccountMFAEnabled") != 1:
            yield failed(ev, account_arn(ev), "The root user has no MFA device at all.")
        elif ev.account_id in virtual_root:
            yield failed(ev, account_arn(ev), "The root user's MFA is a virtual device, not hardware.")
        else:
            yield passed(ev, account_arn(ev), "The root user's MFA is a hardware device.")


@check("iam.root_no_access_keys", needs="iam.account_summary", severity="critical")
def root_no_access_keys(summaries: tuple[Evidence, ...]) -> Iterator[Finding]:
    """The root user has no access keys."""
    for ev in summaries:
        present = ev.data.get("AccountAccessKeysPresent", 0)
        yield judged(ev, account_arn(ev), present == 0,
                     "The root user has no access keys.", f"The root user has {present} access key(s).")


@check("iam.user_mfa_enabled", needs="iam.credential_report", severity="high")
def user_mfa_enabled(reports: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Every IAM user with a console password has MFA."""
    for ev in reports:
        for row in _user_rows(ev):
            if row.get("password_enabled") != "true":
                continue
            yield judged(ev, row["arn"], row.get("mfa_active") == "true",
                         "Console user has an MFA device.", "Console user has no MFA device.")


@check("iam.access_keys_rotated", needs="iam.credential_report", severity="medium")
def access_keys_rotated(reports: tuple[Evidence, ...], *, max_age_days: int = 90) -> Iterator[Finding]:
    """Active access keys are younger than the rotation period."""
    for ev in reports:
        for row in _user_rows(ev):
            ages = [
                age_days(ev, row.get(f"access_key_{n}_last_rotated"))
                for n in (1, 2)
                if row.get(f"access_key_{n}_active") == "true"
            ]
            if not ages:
                continue
            oldest = max((a for a in ages if a is not None), default=None)
            if oldest is None:
                yield failed(ev, row["arn"], "An active access key has no rotation date.")
            else:
                yield judged(ev, row["arn"], oldest <= max_age_days,
                             f"Active access keys are at most {oldest:.0f} days old.",
                             f"An active access key is {oldest:.0f} days old (limit {max_age_days}).")


def _unused_for(ev: Evidence, row: dict[str, Any], used_field: str, created_field: str) -> float | None:
    used = age_days(ev, row.get(used_field))
    return used if used is not None else age_days(ev, row.get(created_field))


@check("iam.unused_credentials_disabled", needs="iam.credential_report", severity="medium")
def unused_credentials_disabled(reports: tuple[Evidence, ...], *, max_unused_days: int = 90) -> Iterator[Finding]:
    """No console password or active access key has gone unused beyond the limit."""
    for ev in reports:
        for row in _user_rows(ev):
            stale: list[str] = []
            if row.get("password_enabled") == "true":
                idle = _unused_for(ev, row, "password_last_used", "user_creation_time")
                if idle is not None and idle > max_unused_days:
                    stale.append(f"console password unused for {idle:.0f} days")
            for n in (1, 2):
                if row.get(f"access_key_{n}_active") == "true":
                    idle = _unused_for(ev, row, f"access_key_{n}_last_used_date", f"access_key_{n}_last_rotated")
                    if idle is not None and idle > max_unused_days:
                        stale.append(f"access key {n} unused for {idle:.0f} days")
            if row.get("password_enabled") != "true" and not any(
                row.get(f"access_key_{n}_active") == "true" for n in (1, 2)
            ):
                continue
            yield judged(ev, row["arn"], not stale, f"Credentials used within {max_unused_days} days.",
                         "Unused credentials still enabled: " + "; ".join(stale) + ".")


def _password_policy(ev: Evidence) -> dict[str, Any] | None:
    return ev.data if isinstance(ev.data, dict) else None


@check("iam.password_policy_min_length", needs="iam.password_policy", severity="medium")
def password_policy_min_length(policies: tuple[Evidence, ...], *, min_length: int = 14) -> Iterator[Finding]:
    """The account password policy requires a minimum length."""
    for ev in policies:
        policy = _password_policy(ev)
        if policy is None:
            yield failed(ev, account_arn(ev), "The account has no IAM password policy.")
            continue
        length = policy.get("MinimumPasswordLength", 0)
        yield judged(ev, account_arn(ev), length >= min_length,
                     f"Minimum password length is {length}.",
                     f"Minimum password length is {length}; at least {min_length} is required.")


@check("iam.password_policy_complexity", needs="iam.password_policy", severity="medium")
def password_policy_complexity(policies: tuple[Evidence, ...]) -> Iterator[Finding]:
    """The account password policy requires upper and lower case letters, numbers and symbols."""
    needed = ("RequireUppercaseCharacters", "RequireLowercaseCharacters", "RequireNumbers", "RequireSymbols")
    for ev in policies:
        policy = _password_policy(ev)
        if policy is None:
            yield failed(ev, account_arn(ev), "The account has no IAM password policy.")
            continue
        missing = [n for n in needed if not policy.get(n)]
        yield judged(ev, account_arn(ev), not missing, "All four character classes are required.",
                     "The password policy does not require: " + ", ".join(missing) + ".")


@check("iam.password_policy_reuse_prevention", needs="iam.password_policy", severity="medium")
def password_policy_reuse_prevention(policies: tuple[Evidence, ...], *, min_remembered: int = 24) -> Iterator[Finding]:
    """The account password policy prevents reuse of recent passwords."""
    for ev in policies:
        policy = _password_policy(ev)
        if policy is None:
            yield failed(ev, account_arn(ev), "The account has no IAM password policy.")
            continue
        remembered = policy.get("PasswordReusePrevention", 0)
        yield judged(ev, account_arn(ev), remembered >= min_remembered,
                     f"The last {remembered} passwords cannot be reused.",
                     f"Only the last {remembered} passwords are remembered; at least {min_remembered} required.")


@check("iam.password_policy_max_age", needs="iam.password_policy", severity="low")
def password_policy_max_age(policies: tuple[Evidence, ...], *, max_age_days: int = 90) -> Iterator[Finding]:
    """The account password policy makes passwords expire."""
    for ev in policies:
        policy = _password_policy(ev)
        if policy is None:
            yield failed(ev, account_arn(ev), "The account has no IAM password policy.")
            continue
        age = policy.get("MaxPasswordAge")
        yield judged(ev, account_arn(ev), isinstance(age, int) and 0 < age <= max_age_days,
                     f"Passwords expire after {age} days.",
                     f"Passwords expire after {age or 'never'} days; at most {max_age_days} required.")


def _attached_admin(entity: dict[str, Any]) -> bool:
    return any(p.get("PolicyArn") == ADMIN_MANAGED_POLICY for p in entity.get("AttachedManagedPolicies", []))


@check("iam.no_admin_star_policies", needs="iam.authorization_details", severity="high")
def no_admin_star_policies(
    details: tuple[Evidence, ...], *, allowed_principals: tuple[str, ...] = ()
) -> Iterator[Finding]:
    """No policy in use grants full administrative access ("*" on "*") outside approved principals."""
    allowed = set(allowed_principals)
    for ev in details:
        data = ev.data or {}
        for policy in data.get("policies", []):
            versions = policy.get("PolicyVersionList", [])
            doc = versions[0].get("Document") if versions else None
            if not grants_full_admin(doc):
                yield passed(ev, policy["Arn"], "Customer policy does not grant full administrative access.")
            elif policy.get("AttachmentCount", 0) == 0:
                yield passed(ev, policy["Arn"], "Customer policy grants \"*\" on \"*\" but is attached to nothing.")
            else:
                yield failed(ev, policy["Arn"], "Customer policy grants Action \"*\" on Resource \"*\" and is in use.")
        for kind, list_key, inline_key in (
            ("user", "users", "UserPolicyList"),
            ("group", "groups", "GroupPolicyList"),
            ("role", "roles", "RolePolicyList"),
        ):
            for entity in data.get(list_key, []):
                arn = entity["Arn"]
                if arn in allowed:
                    yield passed(ev, arn, f"Approved break-glass {kind}; administrative access accepted.")
                    continue
                problems = [
                    f"inline policy {p['PolicyName']} grants \"*\" on \"*\""
                    for p in entity.get(inline_key, [])
                    if grants_full_admin(p.get("PolicyDocument"))
                ]
                if _attached_admin(entity):
                    problems.append("AdministratorAccess is attached")
                if problems:
                    yield failed(ev, arn, f"IAM {kind} has full administrative access: " + "; ".join(problems) + ".")
                elif entity.get(inline_key) or entity.get("AttachedManagedPolicies"):
                    yield passed(ev, arn, f"No policy of this {kind} grants full administrative access.")


def _root_row(ev: Evidence) -> dict[str, Any] | None:
    return next((r for r in ev.data.get("rows", []) if r.get("user") == ROOT_ROW), None)


@check("iam.root_not_used_recently", needs="iam.credential_report", severity="high")
def root_not_used_recently(reports: tuple[Evidence, ...], *, lookback_days: int = 90) -> Iterator[Finding]:
    """The root user's password and access keys were not used within the look-back window.

    Uses the credential report's root row (password_last_used, access_key_N_last_used_date).
    Documented break-glass use is recorded as an exception, not hidden here.
    """
    for ev in reports:
        row = _root_row(ev)
        if row is None:
            yield failed(ev, account_arn(ev), "The credential report has no root user row.")
            continue
        uses = {
            "password": age_days(ev, row.get("password_last_used")),
            "access key 1": age_days(ev, row.get("access_key_1_last_used_date")),
            "access key 2": age_days(ev, row.get("access_key_2_last_used_date")),
        }
        recent = {what: age for what, age in uses.items() if age is not None and age <= lookback_days}
        yield judged(
            ev, account_arn(ev), not recent,
            f"The root user's credentials were not used in the last {lookback_days} days.",
            "The root user was used recently: "
            + "; ".join(f"{what} {age:.0f} days before collection" for what, age in recent.items()) + ".",
        )


_INLINE_LISTS = (("user", "users", "UserPolicyList"), ("group", "groups", "GroupPolicyList"),
                 ("role", "roles", "RolePolicyList"))


def _judge_policies(ev: Evidence, problems: Callable[[Any], list[str]], fine: str) -> Iterator[Finding]:
    """One finding per customer managed policy and per identity with inline policies.

    `problems` lists what is wrong with one policy document; `fine` completes "... policy <fine>."
    A customer managed policy attached to nothing passes, as it grants nothing yet.
    """
    data = ev.data or {}
    for policy in data.get("policies", []):
        versions = policy.get("PolicyVersionList", [])
        found = problems(versions[0].get("Document") if versions else None)
        if not found:
            yield passed(ev, policy["Arn"], f"Customer managed policy {fine}.")
        elif policy.get("AttachmentCount", 0) == 0:
            yield passed(ev, policy["Arn"], f"Customer managed policy {'; '.join(found)}, but is attached to nothing.")
        else:
            yield failed(ev, policy["Arn"], f"Customer managed policy in use {'; '.join(found)}.")
    for kind, list_key, inline_key in _INLINE_LISTS:
        for entity in data.get(list_key, []):
            inline = entity.get(inline_key, [])
            if not inline:
                continue
            found = [
                f"inline policy {p['PolicyName']} {msg}" for p in inline for msg in problems(p.get("PolicyDocument"))
            ]
            yield judged(ev, entity["Arn"], not found, f"No inline policy of this {kind} {fine}.",
                         f"IAM {kind}: " + "; ".join(found) + ".")


@check("iam.no_service_wildcard_policies", needs="iam.authorization_details", severity="medium")
def no_service_wildcard_policies(details: tuple[Evidence, ...]) -> Iterator[Finding]:
    """No customer policy grants every action of a service (such as "kms:*" or "s3:*").

    Allow statements are read for Action entries "<service>:*" or "*", and for NotAction (which
    grants every action but those listed), whatever their resources.
    """
    def problems(doc: Any) -> list[str]:
        wild = service_wildcards(doc)
        return [f"allows {', '.join(wild)}"] if wild else []

    for ev in details:
        yield from _judge_policies(ev, problems, "grants no service-wide wildcard action")


@check("iam.kms_decrypt_restricted", needs="iam.authorization_details", severity="medium")
def kms_decrypt_restricted(
    details: tuple[Evidence, ...], *, blocked_actions: tuple[str, ...] = ("kms:Decrypt", "kms:ReEncryptFrom")
) -> Iterator[Finding]:
    """No customer or inline policy allows KMS decryption on every key.

    An Allow statement counts when its actions cover a blocked action (wildcards included) and a
    resource covers every key ("*", "arn:aws:kms:*", ...), unless a condition ties the grant to a
    calling service, an encryption context, an account or tagged keys (kms:ViaService,
    kms:EncryptionContext*, kms:CallerAccount, aws:ResourceTag/*).
    """
    for ev in details:
        def problems(doc: Any, account: str = ev.account_id) -> list[str]:
            granted = every_key_grants(doc, blocked_actions, account)
            return [f"allows {', '.join(granted)} on every KMS key"] if granted else []

        yield from _judge_policies(ev, problems, "allows no blocked KMS action on every key")


@check("iam.no_privilege_escalation_paths", needs="iam.authorization_details", severity="high")
def no_privilege_escalation_paths(details: tuple[Evidence, ...]) -> Iterator[Finding]:
    """No identity policy allows a known privilege-escalation combination of actions.

    Each combination (evidence.checks.policy_actions.ESCALATION_PATHS: new policy versions,
    attaching or writing policies, credentials for other users, or iam:PassRole with a service that
    runs code as the passed role) counts when the policy allows all its actions, wildcards included,
    and does not deny them outright. Grants limited to the caller's own user (${aws:username}) do not.
    """
    def problems(doc: Any) -> list[str]:
        paths = escalation_paths(doc)
        shown = [" with ".join(p) for p in paths[:3]]
        more = f" and {len(paths) - 3} more" if len(paths) > 3 else ""
        return [f"allows privilege escalation through {'; '.join(shown)}{more}"] if paths else []

    for ev in details:
        yield from _judge_policies(ev, problems, "allows no privilege-escalation combination")


@check("iam.policies_via_groups_or_roles", needs="iam.authorization_details", severity="low")
def policies_via_groups_or_roles(details: tuple[Evidence, ...]) -> Iterator[Finding]:
    """IAM users get their permissions from groups or roles, not from policies of their own."""
    for ev in details:
        for user in (ev.data or {}).get("users", []):
            own = [f"inline policy {p['PolicyName']}" for p in user.get("UserPolicyList", [])]
            own += [f"managed policy {p['PolicyName']}" for p in user.get("AttachedManagedPolicies", [])]
            groups = user.get("GroupList", [])
            yield judged(
                ev, user["Arn"], not own,
                f"No policy is attached to the user directly (groups: {', '.join(groups) or 'none'}).",
                "Policies are attached to the user directly: " + ", ".join(own) + ".",
            )
