"""Evaluation runs looked up by their data set's hash (`kb eval --if-changed`, `make run`)."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    present = {index["name"] for index in sa.inspect(op.get_bind()).get_indexes("eval_runs")}
    if "ix_eval_runs_dataset_hash" not in present:  # a store the core alone made has it already
        op.create_index("ix_eval_runs_dataset_hash", "eval_runs", ["dataset_hash"], unique=False)
