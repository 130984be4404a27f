-- Members' tag subscriptions, as SQLite's migration 0013 keeps them
-- (bot/store/interface/subscriptions.py).
CREATE TABLE subscriptions (
    guild_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    tag_key TEXT NOT NULL,
    tag TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (guild_id, user_id, tag_key)
);
CREATE INDEX subscriptions_by_tag ON subscriptions (guild_id, tag_key);
CREATE TABLE subscription_settings (
    guild_id BIGINT PRIMARY KEY,
    enabled SMALLINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE ping_batches (
    convo_id TEXT PRIMARY KEY,
    tags TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE pings (
    scope TEXT NOT NULL,
    user_id BIGINT NOT NULL,
    convo_id TEXT NOT NULL,
    message_id BIGINT,
    PRIMARY KEY (scope, user_id)
);
CREATE INDEX pings_by_session ON pings (convo_id);
