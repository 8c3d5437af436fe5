"""Transfer Family: an SFTP server for partners, and a legacy server that still accepts plain FTP."""

from __future__ import annotations

from evidence.demo.scenario import ACCOUNT, HOME, Clients, expect, seeder


@seeder
def seed_transfer(aws: Clients) -> None:
    ec2 = aws("ec2", HOME)
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnet = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [default_vpc]}])["Subnets"][0]["SubnetId"]
    transfer = aws("transfer", HOME)
    sftp = transfer.create_server(Protocols=["SFTP"], EndpointType="PUBLIC", IdentityProviderType="SERVICE_MANAGED")
    ftp = transfer.create_server(
        Protocols=["FTP", "SFTP"], EndpointType="VPC",
        EndpointDetails={"VpcId": default_vpc, "SubnetIds": [subnet]},
        IdentityProviderType="API_GATEWAY",
        IdentityProviderDetails={"Url": "https://auth.example.com/prod",
                                 "InvocationRole": f"arn:aws:iam::{ACCOUNT}:role/transfer-auth"},
    )
    for server, verdict in ((sftp, "pass"), (ftp, "fail")):
        arn = transfer.describe_server(ServerId=server["ServerId"])["Server"]["Arn"]
        expect("transfer.no_ftp", arn, verdict)
