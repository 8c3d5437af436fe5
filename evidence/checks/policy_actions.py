"""Which actions an IAM identity policy allows: wildcards, NotAction, unconditional denies.

Action names and patterns compare case-insensitively, with ``*`` and ``?`` wildcards, as IAM does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from evidence.checks.policy import as_list, statements

# A statement whose every resource names the caller (``${aws:username}``) only lets users manage
# their own credentials: the self-service pattern AWS documents, not a path to someone else's.
SELF_ONLY = "${aws:username}"

# Known privilege-escalation combinations: each is a set of actions that together let a principal
# gain permissions it was not given (new policy versions, attaching or writing policies, credentials
# for other users, or passing a privileged role to a service it controls).
ESCALATION_PATHS: tuple[tuple[str, ...], ...] = (
    ("iam:CreatePolicyVersion",),
    ("iam:SetDefaultPolicyVersion",),
    ("iam:AttachUserPolicy",),
    ("iam:AttachGroupPolicy",),
    ("iam:AttachRolePolicy",),
    ("iam:PutUserPolicy",),
    ("iam:PutGroupPolicy",),
    ("iam:PutRolePolicy",),
    ("iam:AddUserToGroup",),
    ("iam:CreateAccessKey",),
    ("iam:CreateLoginProfile",),
    ("iam:UpdateLoginProfile",),
    ("iam:UpdateAssumeRolePolicy", "sts:AssumeRole"),
    ("iam:PassRole", "ec2:RunInstances"),
    ("iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"),
    ("iam:PassRole", "lambda:CreateFunction", "lambda:CreateEventSourceMapping"),
    ("lambda:UpdateFunctionCode",),
    ("iam:PassRole", "cloudformation:CreateStack"),
    ("iam:PassRole", "datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition"),
    ("iam:PassRole", "glue:CreateDevEndpoint"),
    ("glue:UpdateDevEndpoint",),
    ("iam:PassRole", "sagemaker:CreateNotebookInstance", "sagemaker:CreatePresignedNotebookInstanceUrl"),
    ("iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuild"),
    ("iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask"),
)


def action_matches(pattern: Any, action: str) -> bool:
    """Whether an IAM action pattern (``s3:Get*``, ``*``) covers an action name."""
    if not isinstance(pattern, str):
        return False
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, action, re.IGNORECASE) is not None


def statement_covers(stmt: dict[str, Any], action: str) -> bool:
    """Whether a statement's Action (or NotAction) takes in the action."""
    if "Action" in stmt:
        return any(action_matches(p, action) for p in as_list(stmt["Action"]))
    if "NotAction" in stmt:
        return not any(action_matches(p, action) for p in as_list(stmt["NotAction"]))
    return False


def allow_statements(raw: Any) -> Iterator[dict[str, Any]]:
    for stmt in statements(raw):
        if stmt.get("Effect") == "Allow":
            yield stmt


def _denied(raw: Any, action: str) -> bool:
    """An unconditional Deny of the action on every resource."""
    return any(
        stmt.get("Effect") == "Deny" and not stmt.get("Condition") and "*" in as_list(stmt.get("Resource"))
        and statement_covers(stmt, action)
        for stmt in statements(raw)
    )


def allows_broadly(raw: Any, action: str) -> bool:
    """The policy allows the action on some resource other than the caller's own user."""
    if _denied(raw, action):
        return False
    for stmt in allow_statements(raw):
        if not statement_covers(stmt, action):
            continue
        resources = as_list(stmt.get("Resource")) or ["*"]
        if any(SELF_ONLY not in str(r) for r in resources):
            return True
    return False


def escalation_paths(raw: Any) -> list[tuple[str, ...]]:
    """The privilege-escalation combinations the policy allows in full."""
    return [path for path in ESCALATION_PATHS if all(allows_broadly(raw, a) for a in path)]


def service_wildcards(raw: Any) -> list[str]:
    """Action entries of Allow statements that grant every action of a service (or of all services)."""
    found: list[str] = []
    for stmt in allow_statements(raw):
        if "NotAction" in stmt:
            found.append("NotAction (every action but those listed)")
        for pattern in as_list(stmt.get("Action")):
            if isinstance(pattern, str) and (pattern == "*" or re.fullmatch(r"[\w-]+:\*", pattern)):
                found.append(pattern)
    return sorted(set(found))


# Condition keys that tie the use of KMS keys to a calling service, an encryption context, an
# account or tagged keys: a grant on "*" narrowed by one of them is not a grant on every key.
KMS_SCOPING_KEYS = ("kms:viaservice", "kms:encryptioncontext", "kms:calleraccount", "aws:resourcetag/")


def _covers_every_key(resource: Any, account: str) -> bool:
    samples = (f"arn:aws:kms:us-east-1:{account}:key/00000000-0000-0000-0000-000000000001",
               f"arn:aws:kms:eu-west-1:{account}:key/00000000-0000-0000-0000-000000000002")
    return all(action_matches(resource, s) for s in samples)


def _scoped_to_keys(stmt: dict[str, Any]) -> bool:
    condition = stmt.get("Condition")
    if not isinstance(condition, dict):
        return False
    keys = [str(k).lower() for block in condition.values() if isinstance(block, dict) for k in block]
    return any(k.startswith(KMS_SCOPING_KEYS) for k in keys)


def every_key_grants(raw: Any, actions: tuple[str, ...], account: str) -> list[str]:
    """The listed KMS actions that an Allow statement grants on every key, without a scoping condition."""
    found: set[str] = set()
    for stmt in allow_statements(raw):
        if _scoped_to_keys(stmt):
            continue
        if not any(_covers_every_key(r, account) for r in as_list(stmt.get("Resource"))):
            continue
        found.update(a for a in actions if statement_covers(stmt, a) and not _denied(raw, a))
    return sorted(found)
