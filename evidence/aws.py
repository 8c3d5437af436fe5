"""The one way the tool talks to AWS: sessions, regions, retries and the read-only guard.

Every client comes from `ClientFactory.client()`. Each client carries a `before-call` hook that
refuses, before anything is sent, any operation that is not a read, and any read that would return
a secret value. The only write the tool may ever make (kms:Sign, inside `evidence sign`) has to be
allowed explicitly by the caller that builds the factory.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import RefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

from evidence.version import TOOL_VERSION

T = TypeVar("T")
# ec2:DescribeRegions' opt-in status of a region the account has not enabled.
NOT_OPTED_IN = "not-opted-in"


class AwsError(Exception):
    """AWS could not be reached as configured (no credentials, unknown profile, bad region...)."""


class ReadOnlyViolation(AwsError):
    """A non-read operation was attempted through the factory; it was not sent."""


class UnexpectedResponse(BotoCoreError):
    """A success status whose body is not an AWS answer: botocore would read it as an empty result."""

    fmt = "{message}"


def check_response(response_dict: dict[str, Any], operation_model: Any, **_: Any) -> None:
    """`before-parse` hook: refuse a proxy's or captive portal's HTML page, or a JSON body that does not parse,
    which botocore would otherwise turn into an empty listing (and checks into passes)."""
    body = response_dict.get("body") or b""
    if not 200 <= response_dict.get("status_code", 0) < 300 or not body or operation_model.has_streaming_output:
        return
    name = operation_model.name
    if body.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        raise UnexpectedResponse(message=f"{name}: the endpoint answered with an HTML page, not an AWS response")
    shape = operation_model.output_shape
    payload = shape.serialization.get("payload") if shape is not None else None
    if operation_model.metadata.get("protocol") in ("json", "rest-json") and payload is None:
        try:
            json.loads(body)
        except ValueError:
            raise UnexpectedResponse(message=f"{name}: the response is not valid JSON") from None


READ_PREFIXES = ("Describe", "Get", "List", "Lookup", "BatchGet", "Search", "Head")
# Reads that are not named like reads.
EXTRA_READS = frozenset({"iam:GenerateCredentialReport", "sts:AssumeRole"})
# Reads that would return a secret or mint a credential: never sent.
SECRET_READS = frozenset(
    {
        "secretsmanager:GetSecretValue",
        "secretsmanager:BatchGetSecretValue",
        "ssm:GetParameter",
        "ssm:GetParameters",
        "ssm:GetParametersByPath",
        "ssm:GetParameterHistory",
        "lambda:GetFunction",
        "lambda:GetFunctionConfiguration",
        "ec2:GetPasswordData",
        "ecr:GetAuthorizationToken",
        "codeartifact:GetAuthorizationToken",
        "redshift:GetClusterCredentials",
        "redshift:GetClusterCredentialsWithIAM",
        "sts:GetSessionToken",
        "sts:GetFederationToken",
        "cognito-identity:GetCredentialsForIdentity",
        "cognito-identity:GetOpenIdToken",
        "lightsail:GetInstanceAccessDetails",
        "iam:GetSSHPublicKey",
    }
)

# API operation -> IAM action where the IAM name differs from "<signing name>:<operation>".
IAM_ACTION_OVERRIDES = {
    "s3:ListBuckets": "s3:ListAllMyBuckets",
    "s3:ListObjectsV2": "s3:ListBucket",
    "s3:ListObjects": "s3:ListBucket",
    "s3:HeadObject": "s3:GetObject",
    "s3:HeadBucket": "s3:ListBucket",
    "s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "s3:GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
    "s3:GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
    "s3control:GetPublicAccessBlock": "s3:GetAccountPublicAccessBlock",
    "s3control:ListAccessPoints": "s3:ListAccessPoints",
    "s3control:GetAccessPointPolicyStatus": "s3:GetAccessPointPolicyStatus",
    "opensearch:ListDomainNames": "es:ListDomainNames",
    "elbv2:DescribeLoadBalancers": "elasticloadbalancing:DescribeLoadBalancers",
}

_SERVICE_PREFIX = {
    "accessanalyzer": "access-analyzer",
    "elbv2": "elasticloadbalancing",
    "elb": "elasticloadbalancing",
    "efs": "elasticfilesystem",
    "emr": "elasticmapreduce",
    "opensearch": "es",
    "resourcegroupstaggingapi": "tag",
    "stepfunctions": "states",
}


def api_name(service: str, operation: str) -> str:
    """`service:Operation` with botocore's service name (e.g. `s3control:GetPublicAccessBlock`)."""
    return f"{service}:{operation}"


def iam_action(service: str, operation: str) -> str:
    """The IAM action that authorises an API operation."""
    name = api_name(service, operation)
    if name in IAM_ACTION_OVERRIDES:
        return IAM_ACTION_OVERRIDES[name]
    return f"{_SERVICE_PREFIX.get(service, service)}:{operation}"


def is_read(service: str, operation: str) -> bool:
    name = api_name(service, operation)
    if name in SECRET_READS:
        return False
    return name in EXTRA_READS or operation.startswith(READ_PREFIXES)


class CallRecorder:
    """Collects the API operations that were sent: per thread for a snapshot, and in total."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._local = threading.local()
        self.sent: dict[str, int] = {}

    def record(self, name: str) -> None:
        with self._lock:
            self.sent[name] = self.sent.get(name, 0) + 1
        self.note(name)

    def note(self, name: str) -> None:
        """Name an API operation in this thread's snapshot without counting it as sent (a shared answer)."""
        calls = self.current()
        if calls is not None:
            with self._lock:
                if name not in calls:
                    calls.append(name)

    @contextmanager
    def unit(self) -> Iterator[list[str]]:
        """Record the calls made by this thread for the duration of one collection unit."""
        calls: list[str] = []
        with self.bind(calls):
            yield calls

    def current(self) -> list[str] | None:
        calls: list[str] | None = getattr(self._local, "calls", None)
        return calls

    @contextmanager
    def bind(self, calls: list[str] | None) -> Iterator[None]:
        """Record this thread's calls into `calls` (shared by the threads of one unit)."""
        previous = self.current()
        self._local.calls = calls
        try:
            yield
        finally:
            self._local.calls = previous

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self.sent.values())


class _SharedRead:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.done = False
        self.value: Any = None


class ClientFactory:
    """Builds guarded, retrying boto3 clients for one AWS identity (one account)."""

    def __init__(
        self,
        session: boto3.Session,
        *,
        endpoint_url: str | None = None,
        allow: Iterable[str] = (),
        max_attempts: int = 10,
        max_pool_connections: int = 32,
        recorder: CallRecorder | None = None,
    ) -> None:
        self.session = session
        self.endpoint_url = endpoint_url
        self.allow = frozenset(allow)
        self.recorder = recorder or CallRecorder()
        self.max_attempts = max_attempts
        self._config = Config(
            retries={"mode": "adaptive", "max_attempts": max_attempts},
            max_pool_connections=max_pool_connections,
            connect_timeout=10,
            read_timeout=60,
            user_agent_extra=f"evidence/{TOOL_VERSION}",
        )
        self._clients: dict[tuple[str, str], Any] = {}
        self._shared: dict[tuple[str, ...], _SharedRead] = {}
        self._lock = threading.Lock()
        self._account_id: str | None = None
        self._identity_arn: str | None = None

    @classmethod
    def from_options(
        cls,
        *,
        profile: str | None = None,
        endpoint_url: str | None = None,
        credentials: dict[str, str] | None = None,
        allow: Iterable[str] = (),
        recorder: CallRecorder | None = None,
        max_attempts: int = 10,
    ) -> ClientFactory:
        try:
            core = botocore.session.Session(profile=profile)
            session = boto3.Session(botocore_session=core, **(credentials or {}))
        except BotoCoreError as exc:  # ProfileNotFound and friends
            raise AwsError(str(exc)) from None
        return cls(session, endpoint_url=endpoint_url, allow=allow, recorder=recorder, max_attempts=max_attempts)

    def client(self, service: str, region: str) -> Any:
        with self._lock:
            cached = self._clients.get((service, region))
            if cached is not None:
                return cached
            try:
                kwargs: dict[str, Any] = {"region_name": region, "config": self._config}
                if self.endpoint_url:
                    kwargs["endpoint_url"] = self.endpoint_url
                client = self.session.client(service, **kwargs)
            except (BotoCoreError, ValueError) as exc:
                raise AwsError(f"cannot create a {service} client in {region}: {exc}") from None
            self._guard(client, service)
            if service == "s3control" and (self.endpoint_url or client.meta.endpoint_url):
                from evidence.endpoints import register_s3control_endpoint_fix

                register_s3control_endpoint_fix(client)
            self._clients[(service, region)] = client
            return client

    def release(self) -> None:
        """Drop the clients built so far and the shared answers (a later call builds them again): an
        organization's finished accounts give their memory back."""
        with self._lock:
            clients, self._clients, self._shared = self._clients, {}, {}
        for client in clients.values():
            client.close()

    @contextmanager
    def _transient(self, service: str, region: str) -> Iterator[Any]:
        """A client for one call: closed and forgotten afterwards unless it was already built."""
        with self._lock:
            kept = (service, region) in self._clients
        client = self.client(service, region)
        try:
            yield client
        finally:
            if not kept:
                with self._lock:
                    self._clients.pop((service, region), None)
                client.close()

    def shared(self, api: str, region: str, read: Callable[[], T]) -> T:
        """The answer of an idempotent read (`api` in `region`, made by `read`) sent once for this account while
        its clients are alive: another collector that needs the same answer gets a copy, and its snapshot still
        names the operation. A failed read is not kept: the next caller sends it again."""
        with self._lock:
            slot = self._shared.setdefault((api, region), _SharedRead())
        with slot.lock:
            if not slot.done:
                slot.value, slot.done = read(), True
            else:
                self.recorder.note(api)
            return cast(T, copy.deepcopy(slot.value))

    def _guard(self, client: Any, service: str) -> None:
        allow = self.allow
        recorder = self.recorder

        def before_call(model: Any, **_: Any) -> None:
            name = api_name(service, model.name)
            if not (is_read(service, model.name) or name in allow):
                raise ReadOnlyViolation(f"refused to send {name}: evidence only makes read-only AWS calls")
            recorder.record(name)

        client.meta.events.register("before-call", before_call, unique_id="evidence-read-only-guard")
        client.meta.events.register("before-parse", check_response, unique_id="evidence-response-check")

    def assume(
        self,
        account_id: str,
        role_name: str,
        *,
        external_id: str | None = None,
        duration_seconds: int = 3600,
        partition: str = "aws",
    ) -> ClientFactory:
        """A factory for another account, through sts:AssumeRole, with credentials refreshed before expiry.

        The AssumeRole call itself goes through this factory (guarded and recorded); the first call
        happens here, so a role that cannot be assumed raises AwsError at once.
        """
        arn = f"arn:{partition}:iam::{account_id}:role/{role_name}"
        def fetch() -> dict[str, str]:
            params: dict[str, Any] = {
                "RoleArn": arn,
                "RoleSessionName": f"evidence-{account_id}",
                "DurationSeconds": duration_seconds,
            }
            if external_id:
                params["ExternalId"] = external_id
            # Through the cache at each refresh: this factory may have released its clients meanwhile.
            creds = self.client("sts", "us-east-1").assume_role(**params)["Credentials"]
            return {
                "access_key": creds["AccessKeyId"],
                "secret_key": creds["SecretAccessKey"],
                "token": creds["SessionToken"],
                "expiry_time": creds["Expiration"].isoformat(),
            }

        try:
            metadata = fetch()
        except ClientError as exc:
            raise AwsError(f"cannot assume {arn}: {_client_error_text(exc)}") from None
        except BotoCoreError as exc:
            raise AwsError(f"cannot assume {arn}: {exc}") from None
        credentials = RefreshableCredentials.create_from_metadata(
            metadata=metadata, refresh_using=fetch, method="sts-assume-role"
        )
        core = botocore.session.Session()
        # Share the parsed service models with this factory's session: loading them again for every
        # account costs about 100 MiB and a CPU-second per account in an organization.
        core.register_component("data_loader", self.session._session.get_component("data_loader"))
        core._credentials = credentials
        session = boto3.Session(botocore_session=core)
        factory = ClientFactory(
            session, endpoint_url=self.endpoint_url, allow=self.allow, recorder=self.recorder,
            max_pool_connections=self._config.max_pool_connections or 32, max_attempts=self.max_attempts,
        )
        factory._account_id = account_id
        factory._identity_arn = arn
        return factory

    def identity(self, region: str = "us-east-1") -> tuple[str, str]:
        """(account id, caller ARN) of the credentials, or a clear AwsError."""
        if self._account_id is None:
            try:
                ident = self.client("sts", region).get_caller_identity()
            except NoCredentialsError:
                raise AwsError(
                    "no AWS credentials found: use --profile, set AWS_PROFILE, or configure the "
                    "standard credential chain (environment, ~/.aws, instance role)"
                ) from None
            except NoRegionError:
                raise AwsError("no AWS region configured: pass --regions") from None
            except ClientError as exc:
                raise AwsError(f"AWS rejected the credentials: {_client_error_text(exc)}") from None
            except BotoCoreError as exc:
                raise AwsError(f"cannot reach AWS: {exc}") from None
            self._account_id = ident["Account"]
            self._identity_arn = ident["Arn"]
        assert self._account_id is not None and self._identity_arn is not None
        return self._account_id, self._identity_arn

    def enabled_regions(self, region: str = "us-east-1") -> tuple[str, ...]:
        """The regions the account can use: every one whose opt-in status is not `not-opted-in`."""
        return tuple(sorted(r for r, status in self.opt_in_statuses(region).items() if status != NOT_OPTED_IN))

    def opt_in_statuses(self, region: str = "us-east-1") -> dict[str, str]:
        """Every region of the account's partition with its opt-in status (`not-opted-in`: not enabled).

        The client it builds is not kept: an organization's accounts are asked before any is collected."""
        try:
            with self._transient("ec2", region) as ec2:
                resp = ec2.describe_regions(AllRegions=True)
        except ClientError as exc:
            raise AwsError(f"cannot list the account's regions: {_client_error_text(exc)}") from None
        except BotoCoreError as exc:
            raise AwsError(f"cannot list the account's regions: {exc}") from None
        return {r["RegionName"]: r.get("OptInStatus", "") for r in resp["Regions"]}


def _client_error_text(exc: ClientError) -> str:
    err = exc.response.get("Error", {})
    return f"{err.get('Code', 'Error')}: {err.get('Message', '')}".strip()


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "Unknown"))


DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "AuthorizationError",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "AuthFailure",
        "OptInRequired",
        "SubscriptionRequiredException",
    }
)
