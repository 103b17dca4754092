"""Prometheus metrics of one app: requests, latency, outcomes by reason, rule errors, commits.

Each app has its own registry (tests build many apps). Label children are cached: ``labels()`` costs
more than the increment.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from vigil.model import Decision

_LATENCY = (0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "vigil_http_requests",
            "HTTP requests by route and status",
            ("method", "route", "status"),
            registry=r,
        )
        self.latency = Histogram(
            "vigil_http_request_seconds", "time to answer, by route", ("route",), buckets=_LATENCY, registry=r
        )
        self.decisions = Counter(
            "vigil_decisions",
            "decisions made, by event type and outcome",
            ("event_type", "outcome"),
            registry=r,
        )
        self.reasons = Counter("vigil_decision_reasons", "reasons given in decisions", ("code",), registry=r)
        self.rule_errors = Counter("vigil_rule_errors", "rule evaluations that raised", ("rule",), registry=r)
        self.decide_seconds = Histogram(
            "vigil_decide_seconds", "engine time per decision", buckets=_LATENCY, registry=r
        )
        self.commits = Counter("vigil_commits", "group commits of the journal", registry=r)
        self.commit_failures = Counter("vigil_commit_failures", "group commits that failed", registry=r)
        self.ready = Gauge("vigil_ready", "1 when the service can store decisions", registry=r)
        self._request_children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        self._decision_children: dict[tuple[str, str], Counter] = {}

    def request(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        child = self._request_children.get(key)
        if child is None:
            child = self._request_children[key] = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(route),
            )
        child[0].inc()
        child[1].observe(seconds)

    def decision(self, decision: Decision) -> None:
        key = (decision.event_type.value, decision.outcome.label)
        counter = self._decision_children.get(key)
        if counter is None:
            counter = self._decision_children[key] = self.decisions.labels(*key)
        counter.inc()
        self.decide_seconds.observe(decision.elapsed_us / 1e6)
        for reason in decision.reasons:
            self.reasons.labels(reason.code.value).inc()
        for trace in decision.trace:
            if trace.error is not None:
                self.rule_errors.labels(trace.rule_id).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
