"""Daily ticket quotas: is a service, or one of its lanes, used up for today?

One rule for the kiosk's refusal and for the start screen that marks a full service or lane
before the visitor chooses it (a visitor should not answer the screening and pick a lane only
to learn the service ran out). A lane's own quota running out leaves the service's other
lanes open, so it is reported as that lane being full, not the service.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class QuotaState:
    """Today's quota state of one service."""

    service_full: bool               # the service's daily quota is used up: no lane is left
    full_lanes: frozenset[str]       # lanes whose own quota is used up (or all, when the service is)

    def lane_full(self, lane: str) -> bool:
        return self.service_full or lane in self.full_lanes

    def open_lanes(self, lanes: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(lane for lane in lanes if not self.lane_full(lane))


def quota_state(service, issued: Mapping[str, int]) -> QuotaState:
    """The state of `service` (a ServiceConfig) given today's tickets drawn per lane.

    `issued` counts every ticket drawn under the service's letter today, cancelled ones
    included, keyed by lane.
    """
    total = sum(issued.values())
    service_full = service.daily_quota is not None and total >= service.daily_quota
    full_lanes = {lane for lane, quota in service.lane_quotas.items() if issued.get(lane, 0) >= quota}
    if not service_full and service.lanes and all(lane in full_lanes for lane in service.lanes):
        service_full = True
    return QuotaState(service_full=service_full, full_lanes=frozenset(service.lanes if service_full else full_lanes))
