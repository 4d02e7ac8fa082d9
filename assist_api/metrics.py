"""Prometheus metrics of one app: requests by route and status, assist latency, answer status."""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0)


class Metrics:
    def __init__(self):
        self.registry = CollectorRegistry()
        self.requests = Counter("kb_http_requests", "HTTP requests by route and status.",
                                ["method", "route", "status"], registry=self.registry)
        self.assist_latency = Histogram("kb_assist_latency_seconds", "Time to answer /assist.",
                                        buckets=LATENCY_BUCKETS, registry=self.registry)
        self.answers = Counter("kb_assist_answers", "Assist responses by answer status.",
                               ["status"], registry=self.registry)
        self.no_answer_rate = Gauge("kb_assist_no_answer_ratio",
                                    "Share of assist responses that were no_answer.",
                                    registry=self.registry)
        self._counts = {"answered": 0, "no_answer": 0}

    def answered(self, status: str, seconds: float) -> None:
        self.assist_latency.observe(seconds)
        self.answers.labels(status).inc()
        self._counts[status] = self._counts.get(status, 0) + 1
        self.no_answer_rate.set(self._counts["no_answer"] / sum(self._counts.values()))

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Counts every request by its route template (not its raw path, which would explode)."""

    def __init__(self, app, metrics: Metrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        status = {"code": 500}

        async def capture(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")
            self.metrics.requests.labels(scope["method"], path, str(status["code"])).inc()
