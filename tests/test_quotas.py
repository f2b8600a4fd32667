"""Daily quotas: a full service, a full lane, and the lanes still open (pure rule)."""
from shared.domain.config import ServiceConfig
from shared.domain.quotas import quota_state


def service(daily_quota=None, lane_quotas=None, lanes=("general", "senior")):
    return ServiceConfig("svc", None, "A", lanes, daily_quota, lane_quotas or {})


def test_no_quota_never_fills():
    state = quota_state(service(), {"general": 10_000})
    assert not state.service_full and not state.full_lanes
    assert state.open_lanes(("general", "senior")) == ("general", "senior")


def test_the_service_quota_counts_every_lane_and_closes_them_all():
    assert not quota_state(service(daily_quota=10), {"general": 6, "senior": 3}).service_full
    state = quota_state(service(daily_quota=10), {"general": 7, "senior": 3})
    assert state.service_full
    assert state.lane_full("general") and state.lane_full("senior")
    assert state.open_lanes(("general", "senior")) == ()


def test_a_full_lane_leaves_the_other_lanes_open():
    state = quota_state(service(lane_quotas={"general": 5}), {"general": 5, "senior": 40})
    assert not state.service_full
    assert state.lane_full("general") and not state.lane_full("senior")
    assert state.open_lanes(("general", "senior")) == ("senior",)


def test_every_lane_full_is_a_full_service():
    state = quota_state(service(lane_quotas={"general": 1, "senior": 1}), {"general": 1, "senior": 2})
    assert state.service_full
