"""Transfer Family checks: a server that accepts FTP fails, an SFTP-only one passes."""

from __future__ import annotations

from helpers import run, snapshot, verdicts


def test_no_ftp() -> None:
    result = run("transfer.no_ftp", [snapshot("transfer.servers", [
        {"Arn": "arn:s-ftp", "ServerId": "s-ftp", "Protocols": ["SFTP", "FTP"], "errors": {}},
        {"Arn": "arn:s-sftp", "ServerId": "s-sftp", "Protocols": ["SFTP", "FTPS"], "errors": {}},
        {"Arn": "arn:s-unread", "ServerId": "s-unread", "errors": {"DescribeServer": "AccessDeniedException"}},
    ], region="us-east-1")])
    assert verdicts(result) == {"arn:s-ftp": "fail", "arn:s-sftp": "pass", "arn:s-unread": "not_evaluated"}
