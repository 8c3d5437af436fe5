"""ACM: two imported certificates on a billing load balancer; one is valid for a year, one expires in ten days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from evidence.demo.scenario import HOME, Clients, expect, seeder


def _self_signed(domain: str, days_left: int) -> tuple[bytes, bytes]:
    """A certificate (PEM) and its private key (PEM) that expires `days_left` days from now."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=365 - days_left)).not_valid_after(now + timedelta(days=days_left))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


@seeder
def seed_acm(aws: Clients) -> None:
    acm = aws("acm", HOME)
    arns = {}
    for domain, days_left in (("billing.example.com", 365), ("invoices.example.com", 10)):
        cert, key = _self_signed(domain, days_left)
        arns[domain] = acm.import_certificate(Certificate=cert, PrivateKey=key)["CertificateArn"]
    aws("elb", HOME).create_load_balancer(
        LoadBalancerName="billing-portal",
        Listeners=[
            {"Protocol": "HTTPS", "LoadBalancerPort": 443, "InstanceProtocol": "HTTP", "InstancePort": 8080,
             "SSLCertificateId": arns["billing.example.com"]},
            {"Protocol": "HTTPS", "LoadBalancerPort": 8443, "InstanceProtocol": "HTTP", "InstancePort": 8081,
             "SSLCertificateId": arns["invoices.example.com"]},
        ],
        AvailabilityZones=[f"{HOME}a"],
    )
    expect("acm.certificate_not_expiring", arns["billing.example.com"], "pass")
    expect("acm.certificate_not_expiring", arns["invoices.example.com"], "fail")
