"""What routes need, taken from the app's state (built once, at start-up)."""

from typing import Annotated

from fastapi import Depends, Request

from assist_api.metrics import Metrics
from kb.knowledge_base import KnowledgeBase


def get_kb(request: Request) -> KnowledgeBase:
    return request.app.state.kb


def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


KB = Annotated[KnowledgeBase, Depends(get_kb)]
AppMetrics = Annotated[Metrics, Depends(get_metrics)]
