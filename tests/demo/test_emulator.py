"""The local AWS emulator: startup, reset, and the APIs patched into moto, all through boto3."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from evidence.demo.emulator import (
    Emulator,
    EmulatorUnavailable,
    emulator_credentials,
    start_emulator,
)

REGION = "eu-west-1"


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    running = start_emulator()
    yield running
    running.stop()


@pytest.fixture
def fresh(emulator: Emulator) -> Emulator:
    emulator.reset()
    return emulator


def client(emulator: Emulator, service: str, region: str = REGION) -> Any:
    session = boto3.Session(region_name=region, **emulator_credentials())
    return session.client(service, endpoint_url=emulator.endpoint_url)


def test_emulator_answers_on_loopback(emulator: Emulator) -> None:
    assert emulator.endpoint_url == f"http://127.0.0.1:{emulator.port}"
    identity = client(emulator, "sts").get_caller_identity()
    assert identity["Account"] == "123456789012"


def test_reset_forgets_resources_and_repeats_ids(fresh: Emulator) -> None:
    ec2 = client(fresh, "ec2")
    first = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=1)["VolumeId"]
    assert [v["VolumeId"] for v in ec2.describe_volumes()["Volumes"]] == [first]
    fresh.reset()
    again = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=1)["VolumeId"]
    assert again == first
    assert [v["VolumeId"] for v in ec2.describe_volumes()["Volumes"]] == [first]


def test_credentials_are_fixed_and_fake() -> None:
    creds = emulator_credentials()
    assert creds == emulator_credentials()
    assert set(creds) == {"aws_access_key_id", "aws_secret_access_key"}


def test_unavailable_message_says_how_to_install() -> None:
    error = EmulatorUnavailable.missing_moto(ImportError("No module named 'moto'"))
    assert "pip install 'evidence-pack[demo]'" in str(error)
    assert "make demo" in str(error)
