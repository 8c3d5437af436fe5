"""Client-side endpoint fixes for AWS-compatible endpoints other than AWS's own.

S3 Control puts the account id in front of the endpoint host
(``123456789012.s3-control.eu-west-1.amazonaws.com``). botocore does that with a custom
``endpoint_url`` too, so ``http://127.0.0.1:5000`` becomes ``http://123456789012.127.0.0.1:5000``,
which does not resolve. The fix puts the configured host back before the request is signed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

_AWS_DNS_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn", ".api.aws")


def register_s3control_endpoint_fix(client: Any) -> None:
    """Keep an S3 Control client's requests on its configured endpoint host.

    Does nothing for AWS's own endpoints, where the account-id host prefix is how S3 Control
    is addressed. Registering twice on the same client has no further effect.
    """
    configured = urlsplit(client.meta.endpoint_url)
    if (configured.hostname or "").endswith(_AWS_DNS_SUFFIXES):
        return

    def keep_configured_host(request: Any, **_: Any) -> None:
        url = urlsplit(request.url)
        if url.netloc != configured.netloc and url.netloc.endswith(f".{configured.netloc}"):
            request.url = urlunsplit(url._replace(netloc=configured.netloc))

    event = f"before-sign.{client.meta.service_model.service_id.hyphenize()}"
    client.meta.events.register(event, keep_configured_host, unique_id="evidence-s3control-endpoint-host")
