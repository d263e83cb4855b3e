"""Settings (RETURNFLOW_ prefix); nothing connects at import time."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """One settings object for every entrypoint."""

    model_config = SettingsConfigDict(env_prefix="RETURNFLOW_", env_file=".env", extra="ignore")

    data_dir: Path = Path("var")
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    max_body_bytes: int = 1_000_000
    # Inspection photo uploads (their own body limit; JPEG, PNG or WebP only).
    max_photo_bytes: int = 10_000_000
    db_pool_size: int = 10
    # Requests one server process works on at once (its thread pool; 0 keeps the framework's 40).
    # The work is mostly Python: more threads than this only queue on the interpreter lock, and a
    # transaction whose thread waits for the lock holds its row locks longer.
    request_threads: int = 2
    # How often (ms) a server process's interpreter passes the lock between threads (Python's own
    # default is 5). A thread back from the database waits that long for its turn while holding
    # row locks — the tenant's audit head among them — so a short slice keeps every writer moving.
    thread_switch_ms: float = 0.5
    # How long a server process remembers an authenticated API key (0 = look it up every request).
    api_key_cache_seconds: float = 5.0
    # Signs portal tokens and session cookies; when empty, a random one is kept in the data dir.
    secret_key: str = ""
    # Worker: customer emails over SMTP (empty host → emails stay queued), poll interval in seconds.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_sender: str = "returns@localhost"
    smtp_starttls: bool = False
    smtp_username: str = ""
    smtp_password: str = ""
    worker_interval: float = 1.0
    public_base_url: str = ""

    @property
    def effective_database_url(self) -> str:
        """The configured URL, or a SQLite file under the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'returnflow.db').as_posix()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once from the environment."""
    return Settings()
