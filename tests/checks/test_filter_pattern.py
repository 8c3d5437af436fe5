"""CloudWatch Logs JSON filter patterns: parsing and matching."""

from __future__ import annotations

import pytest

from evidence.checks.filter_pattern import PatternError, matches, parse

EVENT = {
    "eventSource": "iam.amazonaws.com",
    "eventName": "PutRolePolicy",
    "errorCode": "Client.UnauthorizedOperation",
    "readOnly": False,
    "responseElements": None,
    "latency": 1200,
    "userIdentity": {"type": "IAMUser", "sessionContext": {"attributes": {"mfaAuthenticated": "false"}}},
    "resources": [{"ARN": "arn:aws:iam::111122223333:role/ops"}],
}


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ('{ $.eventName = "PutRolePolicy" }', True),
        ("{$.eventName=PutRolePolicy}", True),
        ("{ ($.eventName = DeleteRolePolicy) || ($.eventName = PutRolePolicy) }", True),
        ("{ ($.eventName = PutRolePolicy) && ($.eventSource = s3.amazonaws.com) }", False),
        ('{ $.errorCode = "*UnauthorizedOperation" }', True),
        ('{ $.errorCode = "AccessDenied*" }', False),
        ("{ $.eventName != PutRolePolicy }", False),
        ("{ $.missing != anything }", False),
        ("{ $.missing NOT EXISTS }", True),
        ("{ $.eventName NOT EXISTS }", False),
        ("{ $.responseElements IS NULL }", True),
        ("{ $.readOnly IS FALSE }", True),
        ("{ $.readOnly IS TRUE }", False),
        ("{ $.latency > 1000 }", True),
        ("{ $.latency <= 1000 }", False),
        ("{ $.userIdentity.sessionContext.attributes.mfaAuthenticated = false }", True),
        ('{ $.resources[0].ARN = "arn:aws:iam::*:role/*" }', True),
        ("{ $.resources[3].ARN = * }", False),
        ("{ $.eventName = %Put.*Policy% }", True),
        ("{ $.eventName != %^Delete% }", True),
        # && binds tighter than ||
        ("{ $.eventName = Nope || $.eventName = PutRolePolicy && $.readOnly IS FALSE }", True),
        ("{ ($.eventName = Nope || $.eventName = PutRolePolicy) && $.readOnly IS TRUE }", False),
        ('{ $.eventName = "Put\\"Role" }', False),
    ],
)
def test_matching(pattern: str, expected: bool) -> None:
    assert matches(parse(pattern), EVENT) is expected


@pytest.mark.parametrize(
    "pattern",
    ["", "ERROR", "[ip, user, ...]", "{ $.a = }", "{ $.a = b ", "{ ($.a = b }", "{ $.a IS MAYBE }", "{ a = b }",
     "{ $.a = b ) }", "{ $.a NOT THERE }"],
)
def test_refuses_what_is_not_a_json_pattern(pattern: str) -> None:
    with pytest.raises(PatternError):
        parse(pattern)
