"""A local AWS emulator (moto's threaded server) for the demo and the test suite.

moto is an optional dependency (the ``demo`` extra), so it is imported only when an emulator
is started. The server runs in this process, which lets :mod:`evidence.demo.patches`
add the APIs moto lacks and lets the demo plant state (such as the root MFA flag) directly.
"""

from __future__ import annotations

import logging
import os
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

INSTALL_HINT = "pip install 'evidence-pack[demo]'"
_HOST = "127.0.0.1"
_SEED = 42
_STARTUP_TIMEOUT_S = 30.0
_FAKE_CREDENTIALS = {
    "aws_access_key_id": "AKIAEVIDENCEDEMO0001",
    "aws_secret_access_key": "evidence-demo-secret-not-a-real-key",
}
# Read by moto from the environment: no public AMIs (and their 1,300 snapshots) in every region.
_MOTO_ENVIRONMENT = {"MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}
# Talk to the loopback server directly, even when an HTTP proxy is configured.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class EmulatorUnavailable(Exception):
    """The AWS emulator (moto) is not installed or did not start."""

    @classmethod
    def missing_moto(cls, cause: ImportError) -> EmulatorUnavailable:
        return cls(
            f"The demo needs the local AWS emulator (moto), which is not installed ({cause}). "
            f"Install it with: {INSTALL_HINT}   (or run `make demo`)"
        )


@dataclass(frozen=True)
class Emulator:
    """A running emulator. Point boto3 at ``endpoint_url`` with :func:`emulator_credentials`."""

    endpoint_url: str
    port: int
    _server: Any = field(repr=False, compare=False)

    def stop(self) -> None:
        self._server.stop()

    def reset(self) -> None:
        """Forget every resource, then reseed moto's id generator so ids repeat run to run."""
        _post(f"{self.endpoint_url}/moto-api/reset")
        _post(f"{self.endpoint_url}/moto-api/seed?a={_SEED}")

    # State no AWS write API can set. It is planted in-process and forgotten by reset().

    def set_root_mfa(self, account_id: str, *, enabled: bool) -> None:
        """Root user MFA: GetAccountSummary AccountMFAEnabled and the credential report root row."""
        from evidence.demo.patches import iam

        iam.set_root_mfa(account_id, enabled=enabled)

    def set_root_access_key(self, account_id: str, *, active: bool) -> None:
        """Whether the root user has an active access key (summary and credential report)."""
        from evidence.demo.patches import iam

        iam.set_root_access_key(account_id, active=active)

    def backdate_access_keys(self, account_id: str, user_name: str, days: int) -> None:
        """Make an IAM user's access keys `days` old (key age is not settable through AWS's API)."""
        from evidence.demo.patches import iam

        iam.backdate_access_keys(account_id, user_name, days)

    def set_root_password_last_used(self, account_id: str, when: datetime | None) -> None:
        """When the root user last signed in with its password (credential report)."""
        from evidence.demo.patches import iam

        iam.set_root_password_last_used(account_id, when)

    def register_cloudtrail_public_key(
        self, region: str, fingerprint: str, der_pkcs1: bytes, valid_from: datetime, valid_to: datetime
    ) -> None:
        """A CloudTrail digest-signing key, returned by ListPublicKeys in ``region``.

        ``der_pkcs1`` is the DER encoding of the PKCS#1 RSAPublicKey; datetimes are timezone-aware.
        """
        from evidence.demo.patches import cloudtrail

        cloudtrail.register_public_key(region, fingerprint, der_pkcs1, valid_from, valid_to)

    def put_cloudtrail_event(
        self,
        account_id: str,
        region: str,
        *,
        event_name: str,
        event_source: str,
        event_time: datetime,
        username: str,
        identity_type: str = "IAMUser",
        read_only: bool = False,
        access_key_id: str | None = None,
        resources: Sequence[tuple[str, str]] = (),
    ) -> str:
        """Record a management event for LookupEvents; return its id.

        A root sign-in is ``event_name="ConsoleLogin", event_source="signin.amazonaws.com",
        username="root", identity_type="Root"``. ``resources`` are (type, name) pairs.
        """
        from evidence.demo.patches import cloudtrail_events

        return cloudtrail_events.put_cloudtrail_event(
            account_id,
            region,
            event_name=event_name,
            event_source=event_source,
            event_time=event_time,
            username=username,
            identity_type=identity_type,
            read_only=read_only,
            access_key_id=access_key_id,
            resources=resources,
        )

    def put_config_evaluations(
        self, account_id: str, region: str, rule_name: str, evaluations: Sequence[tuple[str, str, str]]
    ) -> None:
        """Record (resource type, resource id, compliance type) results for an existing Config rule.

        The same as PutEvaluations with ``ResultToken=rule_name``, without needing the account's
        credentials.
        """
        from evidence.demo.patches import config_compliance

        config_compliance.put_config_evaluations(account_id, region, rule_name, evaluations)

    def put_guardduty_finding(
        self,
        account_id: str,
        region: str,
        detector_id: str,
        *,
        severity: float,
        finding_type: str,
        resource: Mapping[str, Any],
        title: str | None = None,
        archived: bool = False,
    ) -> str:
        """Add a finding to an existing detector and return its id.

        ``resource`` is a GuardDuty ``Resource`` (e.g. ``{"ResourceType": "Instance",
        "InstanceDetails": {"InstanceId": "i-0abc"}}``).
        """
        from evidence.demo.patches import guardduty

        return guardduty.put_guardduty_finding(
            account_id,
            region,
            detector_id,
            severity=severity,
            finding_type=finding_type,
            resource=resource,
            title=title,
            archived=archived,
        )

    def put_access_analyzer_finding(
        self,
        account_id: str,
        region: str,
        analyzer_name: str,
        *,
        resource_arn: str,
        resource_type: str,
        principal: Mapping[str, str],
        is_public: bool,
        actions: Sequence[str] = (),
        condition: Mapping[str, str] | None = None,
        status: str = "ACTIVE",
    ) -> str:
        """Add an external-access finding to an existing IAM Access Analyzer analyzer; return its id.

        ``principal`` is e.g. ``{"AWS": "*"}`` (public, with ``is_public=True``) or
        ``{"AWS": "999999999999"}`` (another account); ``resource_type`` is e.g. ``AWS::S3::Bucket``.
        """
        from evidence.demo.patches import accessanalyzer

        return accessanalyzer.put_access_analyzer_finding(
            account_id,
            region,
            analyzer_name,
            resource_arn=resource_arn,
            resource_type=resource_type,
            principal=principal,
            is_public=is_public,
            actions=actions,
            condition=condition,
            status=status,
        )


def emulator_credentials() -> dict[str, str]:
    """Fixed fake credentials, as keyword arguments for ``boto3.Session``."""
    return dict(_FAKE_CREDENTIALS)


def start_emulator() -> Emulator:
    """Start moto's server on a free loopback port, with the in-process patches applied."""
    for name, value in _MOTO_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:
        raise EmulatorUnavailable.missing_moto(exc) from exc
    from evidence.demo import patches

    patches.apply_all()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request on stderr

    server = ThreadedMotoServer(ip_address=_HOST, port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    emulator = Emulator(endpoint_url=f"http://{_HOST}:{port}", port=port, _server=server)
    _wait_until_answering(emulator)
    return emulator


def _post(url: str) -> None:
    request = urllib.request.Request(url, data=b"", method="POST")
    with _DIRECT.open(request, timeout=_STARTUP_TIMEOUT_S) as response:
        response.read()


def _wait_until_answering(emulator: Emulator) -> None:
    deadline = time.monotonic() + _STARTUP_TIMEOUT_S
    while True:
        try:
            with _DIRECT.open(f"{emulator.endpoint_url}/moto-api/config", timeout=5) as resp:
                resp.read()
            return
        except (urllib.error.URLError, ConnectionError) as exc:
            if time.monotonic() > deadline:
                emulator.stop()
                message = f"The AWS emulator did not answer on {emulator.endpoint_url}"
                raise EmulatorUnavailable(message) from exc
            time.sleep(0.05)
