"""Load balancers: a storefront that redirects to HTTPS with a TLS 1.2+ policy, a legacy portal that
serves plain HTTP behind an old policy, and a classic load balancer pinned to a strong policy."""

from __future__ import annotations

from typing import Any

from evidence.demo.scenario import ACCOUNT, HOME, Clients, expect, seeder

MODERN_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
OLD_POLICY = "ELBSecurityPolicy-2016-08"
REDIRECT = {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}


def _application(elbv2: Any, name: str, subnets: list[str], vpc: str, cert: str, *, modern: bool) -> str:
    lb = elbv2.create_load_balancer(Name=name, Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    group = elbv2.create_target_group(Name=f"{name}-web", Protocol="HTTP", Port=8080, VpcId=vpc)
    forward = {"Type": "forward", "TargetGroupArn": group["TargetGroups"][0]["TargetGroupArn"]}
    elbv2.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80,
                          DefaultActions=[REDIRECT if modern else forward])
    elbv2.create_listener(LoadBalancerArn=lb, Protocol="HTTPS", Port=443,
                          SslPolicy=MODERN_POLICY if modern else OLD_POLICY,
                          Certificates=[{"CertificateArn": cert}], DefaultActions=[forward])
    return str(lb)


@seeder
def seed_load_balancers(aws: Clients) -> None:
    ec2 = aws("ec2", HOME)
    default_subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    subnets = [s["SubnetId"] for s in default_subnets[:2]]
    vpc = default_subnets[0]["VpcId"]
    cert = aws("acm", HOME).request_certificate(DomainName="shop.example.com")["CertificateArn"]
    elbv2 = aws("elbv2", HOME)
    storefront = _application(elbv2, "storefront", subnets, vpc, cert, modern=True)
    portal = _application(elbv2, "legacy-portal", subnets, vpc, cert, modern=False)
    for check in ("elb.tls_listeners_only", "elb.tls_policy_strong"):
        expect(check, storefront, "pass")
        expect(check, portal, "fail")

    elb = aws("elb", HOME)
    elb.create_load_balancer(
        LoadBalancerName="partner-api",
        Listeners=[{"Protocol": "HTTPS", "LoadBalancerPort": 443, "InstanceProtocol": "HTTP", "InstancePort": 8080,
                    "SSLCertificateId": cert}],
        AvailabilityZones=[f"{HOME}a"],
    )
    elb.create_load_balancer_policy(
        LoadBalancerName="partner-api", PolicyName="tls-1-2-only", PolicyTypeName="SSLNegotiationPolicyType",
        PolicyAttributes=[{"AttributeName": "Reference-Security-Policy",
                           "AttributeValue": "ELBSecurityPolicy-TLS-1-2-2017-01"}],
    )
    elb.set_load_balancer_policies_of_listener(LoadBalancerName="partner-api", LoadBalancerPort=443,
                                               PolicyNames=["tls-1-2-only"])
    partner = f"arn:aws:elasticloadbalancing:{HOME}:{ACCOUNT}:loadbalancer/partner-api"
    expect("elb.tls_listeners_only", partner, "pass")
    expect("elb.tls_policy_strong", partner, "pass")
