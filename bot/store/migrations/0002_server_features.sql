-- Per-server configuration, watched channels, followed streams and moderator alerts.
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

-- One row per stream URL per server: the claim that keeps a URL from being tagged twice
-- within the window, taken atomically by the single writer.
CREATE TABLE autotag_claims (
    guild_id BIGINT NOT NULL,
    stream_url TEXT NOT NULL,
    claimed_at BIGINT NOT NULL,
    PRIMARY KEY (guild_id, stream_url)
);

CREATE TABLE follows (
    id INTEGER PRIMARY KEY,
    guild_id BIGINT,
    channel_id BIGINT NOT NULL,
    stream_url TEXT NOT NULL,
    seed TEXT,
    requester_id BIGINT,
    origin_message_id BIGINT,
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
CREATE INDEX follows_due ON follows (state, next_sample_at);

ALTER TABLE sessions ADD COLUMN follow_id BIGINT;

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
