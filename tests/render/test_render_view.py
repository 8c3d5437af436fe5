"""The view both renderers read: caps, ordering, shared checks, gaps, and the words for every status."""

from __future__ import annotations

import re

import pytest
from render_fixtures import ACCOUNTS, REGIONS

from evidence.models import Finding, Pack, Role, Severity, Status
from evidence.render.html import environment, templates_dir
from evidence.render.text import printable
from evidence.render.view import (
    EVIDENCE_PER_CHECK,
    FAILURES_PER_CHECK,
    SEVERITY_ORDER,
    STATUS_ORDER,
    ControlView,
    build_view,
    finding_order,
    resource_type,
)


def _control(pack: Pack, cid: str) -> ControlView:
    view = build_view(pack, "testfw")
    return next(cv for s in view.sections for cv in s.controls if cv.result.id == cid)


def test_failures_are_capped_and_the_rest_counted(pack: Pack) -> None:
    (mfa,) = _control(pack, "AC-1").primary
    assert len(mfa.failures) == FAILURES_PER_CHECK
    assert mfa.more_failures == 17 - FAILURES_PER_CHECK
    assert all(f.status is Status.FAIL for f in mfa.failures)
    assert mfa.shown_in is None


def test_a_check_shared_by_controls_is_detailed_at_the_first(pack: Pack) -> None:
    (mfa,) = _control(pack, "AC-4").primary
    assert (mfa.shown_in, mfa.shown_at) == ("AC-1", _control(pack, "AC-1").anchor)
    assert mfa.failures == () and mfa.evidence == () and mfa.more_failures == 0
    assert mfa.line.failing == 17


def test_secondary_checks_are_context_only(pack: Pack) -> None:
    ac2 = _control(pack, "AC-2")
    assert [d.line.key for d in ac2.primary] == ["s3.encrypted"]
    assert [(c.key, c.role, c.failing, c.judged) for c in ac2.secondary] == [("iam.mfa", Role.SECONDARY, 17, 18)]
    assert ac2.primary[0].failures == ()


def test_evidence_files_are_capped_with_their_keys(pack: Pack) -> None:
    (mfa,) = _control(pack, "AC-1").primary
    assert len(mfa.evidence) == EVIDENCE_PER_CHECK == 3
    assert mfa.more_evidence == 1 and mfa.more_evidence_keys == ("iam.users",)
    assert all(e.sha256 for e in mfa.evidence)


def test_gaps_reach_the_controls_they_leave_not_evaluated(pack: Pack) -> None:
    view = build_view(pack, "testfw")
    assert [(g.gap.key, g.checks, g.not_evaluated) for g in view.gaps] == [
        ("cloudtrail.trails", ("cloudtrail.enabled",), ("AU-1",))]
    (trail,) = _control(pack, "AU-1").primary
    assert [(g.account_id, g.region, g.code) for g in trail.gaps] == [(ACCOUNTS[1], REGIONS[0], "AccessDenied")]
    errored = [e.path for e in trail.evidence if e.error is not None]
    assert errored == [f"evidence/{ACCOUNTS[1]}/{REGIONS[0]}/cloudtrail.trails.json"]


def test_sections_and_tallies(pack: Pack) -> None:
    view = build_view(pack, "testfw")
    assert [(s.id, s.tally.total) for s in view.sections] == [("AC", 4), ("AU", 2), ("PL", 2)]
    assert view.tally.get(Status.MANUAL) == 2
    assert view.tally.get(Status.FAIL) == 2
    assert [r.id for r in view.inherited] == ["PE-1"]
    assert [t.key for t in view.top_failing] == ["iam.mfa", "iam.password_policy[min_length=14]"]
    assert view.top_failing[0].controls == ("AC-1", "AC-2", "AC-4")


def test_checks_follow_the_first_control_that_uses_them(pack: Pack) -> None:
    view = build_view(pack, "testfw")
    assert [c.key for c in view.checks] == [
        "iam.mfa", "s3.encrypted", "iam.password_policy[min_length=14]", "cloudtrail.enabled", "rds.encrypted"]
    assert view.controls_of_check["iam.mfa"] == ("AC-1", "AC-2", "AC-4")
    assert view.checks_of_key["iam.users"] == ("iam.mfa",)


def test_finding_order_puts_failures_first() -> None:
    def f(status: Status, resource: str) -> Finding:
        return Finding(check="c", resource=resource, account="1", region="r", status=status, reason="x",
                       severity=Severity.LOW)

    items = [f(Status.PASS, "a"), f(Status.FAIL, "z"), f(Status.NOT_EVALUATED, "b"), f(Status.FAIL, "c")]
    assert [(i.status, i.resource) for i in sorted(items, key=finding_order)] == [
        (Status.FAIL, "c"), (Status.FAIL, "z"), (Status.NOT_EVALUATED, "b"), (Status.PASS, "a")]
    for status in Status:
        finding_order(f(status, "x"))


@pytest.mark.parametrize(("arn", "kind"), [
    ("arn:aws:s3:::my-bucket", "s3"),
    ("arn:aws:iam::111111111111:role/path/admin", "iam:role"),
    ("arn:aws:ec2:eu-west-1:111111111111:instance/i-0abc", "ec2:instance"),
    ("arn:aws:rds:eu-west-1:111111111111:db:prod", "rds:db"),
    ("arn:aws:iam::111111111111:root", "iam"),
    ("111111111111", "other"),
    ("<script>", "other"),
])
def test_resource_type(arn: str, kind: str) -> None:
    assert resource_type(arn) == kind


def test_printable_escapes_controls_and_direction_overrides() -> None:
    assert printable("a\x00b\x07c\x1b\x7f\x9f") == "a\\x00b\\x07c\\x1b\\x7f\\x9f"
    assert printable("x\u202ey\u2066z\u200f") == "x\\u202ey\\u2066z\\u200f"
    assert printable("tab\tnew\nline ünï 名前") == "tab\tnew\nline ünï 名前"


def test_every_status_and_severity_has_words_and_colours() -> None:
    macros = environment(templates_dir()).get_template("partials/macros.html.j2").module
    for table in ("STATUS_LABELS", "STATUS_MEANING", "STATUS_COLOURS"):
        assert set(getattr(macros, table)) == {s.value for s in Status}, table
    assert set(macros.SEVERITY_LABELS) == {s.value for s in Severity}
    css = (templates_dir() / "pack.css").read_text()
    for status in Status:
        colour = macros.STATUS_COLOURS[status.value]
        assert re.search(rf"\.s-{status.value} {{ background-color: {colour}; }}", css), status
        assert re.search(rf"\.b-{status.value} {{ border-color: {colour}; }}", css), status
    for severity in Severity:
        assert re.search(rf"\.v-{severity.value} {{ color: #[0-9a-f]{{6}}; }}", css), severity
    assert set(STATUS_ORDER) == set(Status) and len(STATUS_ORDER) == len(Status)
    assert set(SEVERITY_ORDER) == set(Severity)
