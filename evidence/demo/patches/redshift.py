"""Redshift: ModifyClusterParameterGroup, and DescribeClusterParameters that reflects the changes.

moto lists the same engine defaults for every parameter group and cannot change them. Values
set through ModifyClusterParameterGroup are kept per backend and shown with Source "user";
DescribeClusterParameters also honours its Source filter. Default groups cannot be modified,
as on AWS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from moto.core.responses import ActionResult
from moto.redshift.exceptions import ClusterParameterGroupNotFoundError, RedshiftClientError
from moto.redshift.models import RedshiftBackend
from moto.redshift.responses import RedshiftResponse

from evidence.demo.patches._hook import install
from evidence.demo.patches._params import parsed
from evidence.demo.patches._state import attached

_UPDATED = (
    "Your parameter group has been updated. If you changed only dynamic parameters, associated clusters are "
    "being modified now. If you changed static parameters, all updates, including dynamic parameters, will be "
    "applied when you reboot the associated clusters."
)


class InvalidClusterParameterGroupStateError(RedshiftClientError):
    def __init__(self, name: str) -> None:
        super().__init__("InvalidClusterParameterGroupState", f"Cannot modify the default parameter group {name}.")


@dataclass
class ParameterValues:
    by_group: dict[str, dict[str, str]] = field(default_factory=dict)


def apply() -> None:
    install(RedshiftResponse, "modify_cluster_parameter_group", _modify_cluster_parameter_group)
    install(RedshiftResponse, "describe_cluster_parameters", _describe_cluster_parameters)


def _group(backend: RedshiftBackend, name: str) -> str:
    if name not in backend.parameter_groups:
        raise ClusterParameterGroupNotFoundError(name)
    return name


def _modify_cluster_parameter_group(self: RedshiftResponse) -> ActionResult:
    params = parsed(self)
    name = _group(self.redshift_backend, params["ParameterGroupName"])
    if name.startswith("default."):
        raise InvalidClusterParameterGroupStateError(name)
    values = attached(self.redshift_backend, ParameterValues).by_group.setdefault(name, {})
    for parameter in params.get("Parameters") or []:
        values[parameter["ParameterName"]] = parameter["ParameterValue"]
    return ActionResult({"ParameterGroupName": name, "ParameterGroupStatus": _UPDATED})


def _describe_cluster_parameters(self: RedshiftResponse) -> ActionResult:
    params = parsed(self)
    backend = self.redshift_backend
    name = _group(backend, params["ParameterGroupName"])
    changed = attached(backend, ParameterValues).by_group.get(name, {})
    listed: list[dict[str, Any]] = []
    for parameter in backend.describe_default_cluster_parameters():
        if parameter["ParameterName"] in changed:
            parameter = {**parameter, "ParameterValue": changed[parameter["ParameterName"]], "Source": "user"}
        if params.get("Source") in (None, parameter["Source"]):
            listed.append(parameter)
    return ActionResult({"Parameters": listed})
