-- The weekly digest of each server, as SQLite's migration 0011 keeps it
-- (bot/store/interface/digests.py), and a server's sessions and alerts by time.
CREATE TABLE digests (
    guild_id BIGINT PRIMARY KEY,
    enabled SMALLINT NOT NULL DEFAULT 1,
    weekday SMALLINT NOT NULL,
    hour SMALLINT NOT NULL,
    timezone TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    lease_until BIGINT NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    first_attempt_at BIGINT,
    last_due_at BIGINT,
    message_id BIGINT,
    last_error TEXT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX digests_due ON digests (due_at) WHERE enabled = 1;
CREATE INDEX sessions_by_guild_time ON sessions (guild_id, created_at);
CREATE INDEX alerts_by_guild_time ON alerts (guild_id, created_at);
