-- Sessions, their outbox of deliveries, and rotated webhook secrets.
-- Portable SQL only (PostgreSQL must run the same schema): BIGINT ids and epoch-millisecond
-- times, SMALLINT booleans, no SQLite-only types.
CREATE TABLE sessions (
    convo_id TEXT PRIMARY KEY,
    stream_url TEXT NOT NULL,
    source TEXT NOT NULL,
    seed TEXT,
    guild_id BIGINT,
    channel_id BIGINT,
    requester_id BIGINT,
    origin_message_id BIGINT,
    deliveries TEXT NOT NULL,
    state TEXT NOT NULL,
    webhook_token_hash TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    completed_at BIGINT,
    tags TEXT,
    undocumented SMALLINT NOT NULL DEFAULT 0,
    error TEXT
);
CREATE INDEX sessions_by_state ON sessions (state, created_at);
CREATE INDEX sessions_by_channel ON sessions (channel_id, created_at);
CREATE INDEX sessions_by_guild ON sessions (guild_id, state);

CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    convo_id TEXT NOT NULL REFERENCES sessions (convo_id),
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until BIGINT NOT NULL DEFAULT 0,
    channel_id BIGINT,
    reply_to_message_id BIGINT,
    message_id BIGINT,
    delivered_at BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (convo_id, kind)
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);

CREATE TABLE shared_secrets (
    id INTEGER PRIMARY KEY,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
