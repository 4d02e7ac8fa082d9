"""Live calls: their utterances (masked) and their quality scorecards; runs of `kb eval-calls`;
call contexts, which serving processes share; each call's events, which panels resume from."""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    present = set(sa.inspect(op.get_bind()).get_table_names())
    for name, columns in (("calls", _calls), ("call_utterances", _call_utterances), ("call_eval_runs", _call_eval_runs),
                          ("call_contexts", _call_contexts), ("call_events", _call_events)):
        if name not in present:  # a store the core alone made has them already
            op.create_table(name, *columns())


def _calls() -> list[sa.Column]:
    return [sa.Column("id", sa.String(128), primary_key=True),
            sa.Column("agent", sa.String(64), nullable=True, index=True),
            sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, index=True),
            sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("score", sa.Integer, nullable=True),
            sa.Column("products", sa.Text, nullable=False),
            sa.Column("finding_kinds", sa.Text, nullable=False),
            sa.Column("scorecard_json", sa.Text, nullable=True)]


def _call_utterances() -> list[sa.Column]:
    return [sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("call_id", sa.String(128), sa.ForeignKey("calls.id", ondelete="CASCADE"),
                      nullable=False, index=True),
            sa.Column("number", sa.Integer, nullable=False),
            sa.Column("speaker", sa.String(16), nullable=False),
            sa.Column("text", sa.Text, nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False)]


def _call_eval_runs() -> list[sa.Column]:
    return [sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("folder", sa.Text, nullable=False),
            sa.Column("calls_hash", sa.String(64), nullable=False),
            sa.Column("rules_hash", sa.String(64), nullable=False),
            sa.Column("embed_model", sa.Text, nullable=False),
            sa.Column("figures_json", sa.Text, nullable=False)]


def _call_contexts() -> list[sa.Column]:
    return [sa.Column("session_id", sa.String(128), primary_key=True),
            sa.Column("product", sa.Text, nullable=True),
            sa.Column("turns", sa.Integer, nullable=False),
            sa.Column("touched_at", sa.DateTime(timezone=True), nullable=False, index=True)]


def _call_events() -> list[sa.Column]:
    return [sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("call_id", sa.String(128), nullable=False, index=True),
            sa.Column("origin", sa.String(64), nullable=False),
            sa.Column("event_json", sa.Text, nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True)]
