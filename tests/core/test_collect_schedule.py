"""The collection scheduler: limits per account and per service, a few accounts at a time, clients released.

The collectors here build clients through the factory but send nothing: what is under test is when units
start, how many run together, and what happens to an account's clients once its last unit is done.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

import boto3
import pytest

from evidence.aws import ClientFactory
from evidence.collect import AccountTarget, CollectContext, collect_each
from evidence.models import Evidence
from evidence.pipeline import make_period
from evidence.registry import CollectorSpec, Scope

REGIONS = ("us-east-1", "eu-west-1")
SERVICES = ("ec2", "s3", "kms")


def factory() -> ClientFactory:
    session = boto3.Session(aws_access_key_id="AKIDSCHEDULE", aws_secret_access_key="schedule")
    return ClientFactory(session, endpoint_url="http://127.0.0.1:9")


class Watch:
    """Records, at every unit start, what else is running."""

    def __init__(self, accounts: dict[str, ClientFactory], per_account_units: int) -> None:
        self.lock = threading.Lock()
        self.accounts = accounts
        self.total = per_account_units
        self.running: Counter[str] = Counter()
        self.by_service: Counter[tuple[str, str, str]] = Counter()
        self.started: Counter[str] = Counter()
        self.finished: Counter[str] = Counter()
        self.peak_running = 0
        self.peak_account = 0
        self.peak_service = 0
        self.peak_open = 0
        self.clients: dict[str, list[Any]] = {a: [] for a in accounts}

    def spec(self, key: str, service: str, scope: Scope = Scope.REGIONAL, pause: float = 0.01) -> CollectorSpec:
        def run(ctx: CollectContext) -> dict[str, str]:
            slot = (ctx.account_id, service, ctx.region)
            with self.lock:
                self.running[ctx.account_id] += 1
                self.by_service[slot] += 1
                self.started[ctx.account_id] += 1
                self.peak_running = max(self.peak_running, sum(self.running.values()))
                self.peak_account = max(self.peak_account, self.running[ctx.account_id])
                self.peak_service = max(self.peak_service, self.by_service[slot])
                open_accounts = [a for a in self.accounts if self.started[a] and self.finished[a] < self.total]
                self.peak_open = max(self.peak_open, len(open_accounts))
                self.clients[ctx.account_id].append(ctx.client(service))
            time.sleep(pause)
            with self.lock:
                self.running[ctx.account_id] -= 1
                self.by_service[slot] -= 1
                self.finished[ctx.account_id] += 1
            return {"key": key}

        return CollectorSpec(key=key, service=service, scope=scope, actions=(f"{service}:Describe",), func=run)


def specs_for(watch: Watch, per_service: int) -> list[CollectorSpec]:
    specs = [watch.spec(f"{svc}.c{i}", svc) for svc in SERVICES for i in range(per_service)]
    return [*specs, watch.spec("iam.global", "iam", Scope.GLOBAL)]


def test_limits_hold_and_every_unit_runs_once() -> None:
    factories = {f"{100000000000 + i}": factory() for i in range(7)}
    per_account_units = (len(SERVICES) * 5) * len(REGIONS) + 1
    watch = Watch(factories, per_account_units)
    got: list[Evidence] = []
    collect_each([AccountTarget(a, f) for a, f in factories.items()], got.append, regions=REGIONS,
                 period=make_period(None, None), specs=specs_for(watch, 5), workers=8, per_account=3,
                 per_service_region=2, accounts_at_once=3)

    assert len(got) == len(factories) * per_account_units
    assert len({(e.account_id, e.region, e.key) for e in got}) == len(got)
    assert all(e.error is None for e in got)
    assert watch.peak_account == 3
    assert watch.peak_service == 2
    assert watch.peak_running == 8  # three open accounts of three units each can fill the eight workers
    assert watch.peak_open == 3


def test_an_account_opens_only_when_the_open_ones_cannot_fill_the_pool() -> None:
    factories = {f"{100000000000 + i}": factory() for i in range(4)}
    per_account_units = len(SERVICES) * 4 * len(REGIONS) + 1
    watch = Watch(factories, per_account_units)
    collect_each([AccountTarget(a, f) for a, f in factories.items()], lambda _: None, regions=REGIONS,
                 period=make_period(None, None), specs=specs_for(watch, 4), workers=4, per_account=8,
                 per_service_region=4, accounts_at_once=4)
    assert watch.peak_running == 4
    assert watch.peak_open <= 2  # one account fills four workers; the next opens only for its tail


def test_a_finished_account_releases_its_clients() -> None:
    factories = {f"{100000000000 + i}": factory() for i in range(3)}
    watch = Watch(factories, len(SERVICES) * len(REGIONS) + 1)
    collect_each([AccountTarget(a, f) for a, f in factories.items()], lambda _: None, regions=REGIONS,
                 period=make_period(None, None), specs=specs_for(watch, 1), workers=2, accounts_at_once=1)
    for account, made in watch.clients.items():
        ec2 = [c for c in made if c.meta.service_model.service_name == "ec2" and c.meta.region_name == "us-east-1"]
        assert len({id(c) for c in ec2}) == 1  # one client per service and region while the account is open
        assert factories[account].client("ec2", "us-east-1") is not ec2[0]  # rebuilt: the old one was let go


def test_skipped_units_are_not_run_again() -> None:
    factories = {"111111111111": factory()}
    watch = Watch(factories, 2 * len(REGIONS))
    specs = [watch.spec("ec2.a", "ec2"), watch.spec("s3.b", "s3")]
    got: list[Evidence] = []
    collect_each([AccountTarget("111111111111", factories["111111111111"])], got.append, regions=REGIONS,
                 period=make_period(None, None), specs=specs, skip={("111111111111", "eu-west-1", "s3.b")})
    assert sorted((e.region, e.key) for e in got) == [("eu-west-1", "ec2.a"), ("us-east-1", "ec2.a"),
                                                       ("us-east-1", "s3.b")]


def test_an_error_that_stops_the_run_starts_nothing_more() -> None:
    factories = {f"{100000000000 + i}": factory() for i in range(3)}
    watch = Watch(factories, 10)
    stop = CollectorSpec(key="ec2.stop", service="ec2", scope=Scope.GLOBAL, actions=("ec2:Describe",),
                         func=lambda ctx: (_ for _ in ()).throw(KeyboardInterrupt()))
    specs = [stop, *(watch.spec(f"s3.k{i}", "s3", pause=0.05) for i in range(4))]
    got: list[Evidence] = []
    with pytest.raises(KeyboardInterrupt):
        collect_each([AccountTarget(a, f) for a, f in factories.items()], got.append, regions=REGIONS,
                     period=make_period(None, None), specs=specs, workers=2, per_account=2, accounts_at_once=1)
    assert sum(watch.started.values()) <= 2  # only what was already running when the stop came
    assert all(e.key != "ec2.stop" for e in got)
