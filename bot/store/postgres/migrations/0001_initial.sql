-- The PostgreSQL schema: the same tables and columns as SQLite's migrations 0001-0005, written
-- for several processes sharing the database (identity ids, partial indexes for the due work).
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
    error TEXT,
    follow_id BIGINT
);
CREATE INDEX sessions_by_channel ON sessions (channel_id, created_at);
CREATE INDEX sessions_by_follow ON sessions (follow_id, created_at) WHERE follow_id IS NOT NULL;
CREATE INDEX sessions_awaiting ON sessions (created_at, guild_id)
    WHERE state IN ('starting', 'running');

CREATE TABLE deliveries (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
CREATE INDEX deliveries_pending ON deliveries (next_attempt_at) WHERE state = 'pending';

CREATE TABLE shared_secrets (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE guild_settings (
    guild_id BIGINT PRIMARY KEY,
    results_channel_id BIGINT,
    seed TEXT,
    alert_channel_id BIGINT,
    alert_role_id BIGINT,
    alert_tags TEXT NOT NULL DEFAULT '',
    alert_undocumented SMALLINT NOT NULL DEFAULT 0,
    alert_errors SMALLINT NOT NULL DEFAULT 0,
    autotag_interval_minutes INTEGER NOT NULL DEFAULT 10,
    updated_at BIGINT NOT NULL
);

CREATE TABLE autotag_channels (
    guild_id BIGINT NOT NULL,
    channel_id BIGINT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (guild_id, channel_id)
);

CREATE TABLE autotag_claims (
    guild_id BIGINT NOT NULL,
    stream_url TEXT NOT NULL,
    claimed_at BIGINT NOT NULL,
    rounds INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (guild_id, stream_url)
);

CREATE TABLE follows (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id BIGINT,
    channel_id BIGINT NOT NULL,
    stream_url TEXT NOT NULL,
    source TEXT NOT NULL,
    seed TEXT,
    requester_id BIGINT,
    origin_message_id BIGINT,
    trigger_id BIGINT NOT NULL,
    trigger_position INTEGER NOT NULL,
    trigger_round INTEGER NOT NULL,
    timeline_channel_id BIGINT,
    timeline_message_id BIGINT,
    state TEXT NOT NULL,
    stop_reason TEXT,
    samples INTEGER NOT NULL DEFAULT 0,
    interval_ms BIGINT NOT NULL,
    next_sample_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX follows_due ON follows (next_sample_at) WHERE state = 'active';
CREATE INDEX follows_by_channel ON follows (channel_id) WHERE state = 'active';

CREATE TABLE alerts (
    convo_id TEXT PRIMARY KEY REFERENCES sessions (convo_id),
    guild_id BIGINT NOT NULL,
    channel_id BIGINT NOT NULL,
    message_id BIGINT,
    matched TEXT NOT NULL,
    acknowledged_by BIGINT,
    acknowledged_at BIGINT,
    created_at BIGINT NOT NULL
);
