"""ACM: every certificate of the region, whatever its key type, with its validity and where it is used."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from evidence.aws import error_code
from evidence.collect import CollectContext, paginate
from evidence.registry import collector

# ListCertificates returns only RSA_1024 and RSA_2048 certificates unless asked for the others.
KEY_TYPES = ["RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"]


def _certificate(ctx: CollectContext, summary: dict[str, Any]) -> dict[str, Any]:
    try:
        detail = ctx.client("acm").describe_certificate(CertificateArn=summary["CertificateArn"])["Certificate"]
    except ClientError as exc:
        return {**summary, "errors": {"certificate": error_code(exc)}}
    return {**detail, "errors": {}}


@collector("acm.certificates", service="acm", actions=("acm:ListCertificates", "acm:DescribeCertificate"))
def certificates(ctx: CollectContext) -> Any:
    """Every certificate of the region with its validity dates, status and the resources using it."""
    listed = paginate(ctx.client("acm"), "list_certificates", "CertificateSummaryList",
                      Includes={"keyTypes": KEY_TYPES})
    return ctx.map(lambda s: _certificate(ctx, s), listed)
