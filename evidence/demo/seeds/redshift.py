"""Redshift: an encrypted private warehouse that requires TLS; a public, unencrypted sandbox on defaults."""

from __future__ import annotations

from evidence.demo.scenario import ACCOUNT, HOME, OTHER, Clients, expect, seeder

PASSWORD = "Demo-Password-123"


@seeder
def seed_redshift(aws: Clients) -> None:
    home = aws("redshift", HOME)
    home.create_cluster_parameter_group(ParameterGroupName="tls-only", ParameterGroupFamily="redshift-1.0",
                                        Description="Require TLS for every connection")
    home.modify_cluster_parameter_group(ParameterGroupName="tls-only",
                                        Parameters=[{"ParameterName": "require_ssl", "ParameterValue": "true"}])
    home.create_cluster(ClusterIdentifier="finance-warehouse", NodeType="ra3.xlplus", MasterUsername="finance",
                        MasterUserPassword=PASSWORD, Encrypted=True, PubliclyAccessible=False,
                        ClusterParameterGroupName="tls-only")
    aws("redshift", OTHER).create_cluster(ClusterIdentifier="marketing-sandbox", NodeType="dc2.large",
                                          MasterUsername="marketing", MasterUserPassword=PASSWORD,
                                          Encrypted=False, PubliclyAccessible=True)
    good = f"arn:aws:redshift:{HOME}:{ACCOUNT}:cluster:finance-warehouse"
    bad = f"arn:aws:redshift:{OTHER}:{ACCOUNT}:cluster:marketing-sandbox"
    for check in ("redshift.encrypted", "redshift.not_public", "redshift.require_tls"):
        expect(check, good, "pass")
        expect(check, bad, "fail")
