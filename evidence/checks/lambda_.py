"""AWS Lambda checks: no function can be invoked by anyone."""

from __future__ import annotations

from collections.abc import Iterator

from evidence.checks import judged, unknown
from evidence.checks.public_policy import describe, open_statements
from evidence.models import Evidence, Finding
from evidence.registry import check


@check("lambda.not_public", needs="lambda.functions", severity="critical")
def not_public(functions: tuple[Evidence, ...]) -> Iterator[Finding]:
    """No function's resource policy lets anyone invoke it, and no function URL skips authentication."""
    for ev in functions:
        for fn in ev.data or []:
            arn, errors = fn["FunctionArn"], fn.get("errors", {})
            if errors:
                yield unknown(ev, arn, "Public access could not be judged: "
                                       + ", ".join(f"{k} unreadable ({v})" for k, v in errors.items()) + ".")
                continue
            problems = []
            opened = open_statements(fn.get("Policy"))
            if opened:
                problems.append(f"its resource policy allows anyone ({describe(opened)})")
            urls = fn.get("FunctionUrlConfigs", [])
            open_urls = [u.get("FunctionUrl", "?") for u in urls if u.get("AuthType") == "NONE"]
            if open_urls:
                problems.append(f"function URL {', '.join(open_urls)} needs no authentication")
            yield judged(ev, arn, not problems, "Only named principals may invoke the function.",
                         f"Function {fn.get('FunctionName')} is public: {' and '.join(problems)}.")
