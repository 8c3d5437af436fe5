"""CloudTrail digest chains: the management trail's chain is tampered with, production's is intact.

The emulator's S3 receives realistic signed digests and gzip'd log files; a test RSA key stands in
for AWS's signing key and is served by ListPublicKeys. In the management account's trail, one log
file is altered (us-east-1) and one digest is deleted (eu-west-1).
"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives.asymmetric import rsa

from evidence.demo.scenario import (
    ACCOUNT,
    GOOD_TRAIL,
    HOME,
    LOG_BUCKET,
    OTHER,
    Clients,
    expect,
    member_seeder,
    seeder,
    trail_arn,
)
from evidence.integrity.models import TrailScope
from evidence.integrity.synthetic import ChainSpec, S3Sink, build_chain, public_key_of

HOURS = 36
PROD_TRAIL = "production-audit"


def _key(aws: Clients) -> rsa.RSAPrivateKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = public_key_of(key)
    now = datetime.now(UTC)
    for region in (HOME, OTHER):
        aws.emulator.register_cloudtrail_public_key(region, public.fingerprint, public.der,
                                                    now - timedelta(days=365), now + timedelta(days=365))
    return key


def _start() -> datetime:
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=HOURS + 1)


_KEYS: dict[str, rsa.RSAPrivateKey] = {}


@seeder
def seed_integrity(aws: Clients) -> None:
    key = _KEYS["demo"] = _key(aws)
    s3 = aws("s3", HOME)
    chains = {}
    for region in (HOME, OTHER):
        scope = TrailScope.for_trail(trail_arn(GOOD_TRAIL, HOME), LOG_BUCKET, source_region=region, account_id=ACCOUNT)
        chains[region] = build_chain(ChainSpec(scope=scope, start=_start(), hours=HOURS, seed=7), key, S3Sink(s3))
    altered = chains[HOME].digests[10].log_keys[0]
    s3.put_object(Bucket=LOG_BUCKET, Key=altered, Body=gzip.compress(b'{"Records":[{"eventName":"Altered"}]}'))
    s3.delete_object(Bucket=LOG_BUCKET, Key=chains[OTHER].digests[20].key)
    arn = trail_arn(GOOD_TRAIL, HOME)
    expect("cloudtrail.digest_chain_valid", f"{arn} ({HOME})", "fail")
    expect("cloudtrail.digest_chain_valid", f"{arn} ({OTHER})", "fail")


@member_seeder
def seed_production_trail(aws: Clients, members: dict[str, str]) -> None:
    account = members["production"]
    prod = Clients(aws.emulator, account)
    bucket = f"example-production-trail-{account}"
    prod("s3", HOME).create_bucket(Bucket=bucket)
    prod("cloudtrail", HOME).create_trail(Name=PROD_TRAIL, S3BucketName=bucket, EnableLogFileValidation=True,
                                          IsMultiRegionTrail=True)
    prod("cloudtrail", HOME).start_logging(Name=PROD_TRAIL)
    arn = f"arn:aws:cloudtrail:{HOME}:{account}:trail/{PROD_TRAIL}"
    for n, region in enumerate((HOME, OTHER)):
        scope = TrailScope.for_trail(arn, bucket, source_region=region, account_id=account)
        build_chain(ChainSpec(scope=scope, start=_start(), hours=HOURS, seed=11 + n), _KEYS["demo"],
                    S3Sink(prod("s3", HOME)))
        expect("cloudtrail.digest_chain_valid", f"{arn} ({region})", "pass")
