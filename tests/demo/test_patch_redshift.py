"""The Redshift parameter-group patch, through boto3 on the emulator."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from evidence.demo.emulator import Emulator, emulator_credentials


def redshift(emulator: Emulator) -> Any:
    session = boto3.Session(region_name="ap-southeast-2", **emulator_credentials())
    return session.client("redshift", endpoint_url=emulator.endpoint_url)


def require_ssl(parameters: list[dict[str, Any]]) -> dict[str, Any]:
    return next(p for p in parameters if p["ParameterName"] == "require_ssl")


def test_modified_values_are_listed_as_user_settings(emulator: Emulator) -> None:
    client = redshift(emulator)
    client.create_cluster_parameter_group(ParameterGroupName="patch-tls", ParameterGroupFamily="redshift-1.0",
                                          Description="test")
    before = require_ssl(client.describe_cluster_parameters(ParameterGroupName="patch-tls")["Parameters"])
    assert (before["ParameterValue"], before["Source"]) == ("false", "engine-default")
    resp = client.modify_cluster_parameter_group(
        ParameterGroupName="patch-tls", Parameters=[{"ParameterName": "require_ssl", "ParameterValue": "true"}])
    assert resp["ParameterGroupName"] == "patch-tls"
    changed = require_ssl(client.describe_cluster_parameters(ParameterGroupName="patch-tls")["Parameters"])
    assert (changed["ParameterValue"], changed["Source"]) == ("true", "user")
    user_only = client.describe_cluster_parameters(ParameterGroupName="patch-tls", Source="user")["Parameters"]
    assert [p["ParameterName"] for p in user_only] == ["require_ssl"]
    default = require_ssl(client.describe_cluster_parameters(ParameterGroupName="default.redshift-1.0")["Parameters"])
    assert default["ParameterValue"] == "false"


def test_default_and_unknown_groups_are_refused(emulator: Emulator) -> None:
    client = redshift(emulator)
    change = [{"ParameterName": "require_ssl", "ParameterValue": "true"}]
    with pytest.raises(ClientError) as default:
        client.modify_cluster_parameter_group(ParameterGroupName="default.redshift-1.0", Parameters=change)
    assert default.value.response["Error"]["Code"] == "InvalidClusterParameterGroupState"
    with pytest.raises(ClientError) as unknown:
        client.describe_cluster_parameters(ParameterGroupName="no-such-group")
    assert unknown.value.response["Error"]["Code"] == "ClusterParameterGroupNotFound"
