"""AWS Transfer Family checks: no server accepts plain FTP."""

from __future__ import annotations

from collections.abc import Iterator

from evidence.checks import judged, unknown
from evidence.models import Evidence, Finding
from evidence.registry import check


@check("transfer.no_ftp", needs="transfer.servers", severity="high")
def no_ftp(servers: tuple[Evidence, ...]) -> Iterator[Finding]:
    """No Transfer Family server accepts plain FTP, which sends credentials and files in clear text."""
    for ev in servers:
        for server in ev.data or []:
            arn = server["Arn"]
            if "DescribeServer" in server.get("errors", {}):
                yield unknown(ev, arn, f"The server could not be described ({server['errors']['DescribeServer']}).")
                continue
            protocols = server.get("Protocols") or ["SFTP"]  # SFTP is what AWS enables when none is chosen
            yield judged(ev, arn, "FTP" not in protocols, f"The server accepts {', '.join(protocols)}.",
                         f"Server {server.get('ServerId')} accepts plain FTP ({', '.join(protocols)}).")
