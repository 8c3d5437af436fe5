"""EMR: requests reach the region they were signed for, and cluster instances launch into the cluster's subnet.

moto takes an EMR request's region from the host name only, so every request sent to the
emulator's loopback address lands in us-east-1; here the request's SigV4 credential scope
decides, as for other services. moto also starts an instance group's EC2 instances without a
subnet, so every node gets a public address; here they launch into ``Instances.Ec2SubnetId``
and get a public address only where that subnet assigns one, as in AWS.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.core.responses import BaseResponse
from moto.emr.models import ElasticMapReduceBackend
from moto.emr.responses import ElasticMapReduceResponse

from evidence.demo.patches._hook import install

RunInstances = Callable[[ElasticMapReduceBackend, str, dict[str, Any], Any], None]


def apply() -> None:
    install(ElasticMapReduceResponse, "get_region_from_url", _region_from_host_or_signature)
    install(ElasticMapReduceBackend, "run_instances", _in_cluster_subnet(ElasticMapReduceBackend.run_instances))


def _region_from_host_or_signature(self: ElasticMapReduceResponse, request: Any, full_url: str) -> str:
    for regex in ElasticMapReduceResponse.emr_region_regex:
        match = regex.search(self.parsed_url.netloc)
        if match:
            return str(match.group(1))
    return BaseResponse.get_region_from_url(self, request, full_url)


def _in_cluster_subnet(original: RunInstances) -> RunInstances:
    def run_instances(self: ElasticMapReduceBackend, cluster_id: str, instances: dict[str, Any], group: Any) -> None:
        subnet = self.clusters[cluster_id].ec2_subnet_id
        if subnet and not instances.get("subnet_id"):
            # None lets EC2 follow the subnet's MapPublicIpOnLaunch setting.
            instances = {**instances, "subnet_id": subnet, "associate_public_ip": None}
        original(self, cluster_id, instances, group)

    return run_instances
