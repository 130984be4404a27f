-- Members' tag subscriptions (bot/store/interface/subscriptions.py): each member's tags per
-- server, matched by their key (case-folded); a server's switch for them; and the pings each
-- session recorded before sending them, each member at most once per scope (a session, or a
-- followed stream's follow), with the message that pinged them.
CREATE TABLE subscriptions (
    guild_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    tag_key TEXT NOT NULL,
    tag TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id, tag_key)
);
CREATE INDEX subscriptions_by_tag ON subscriptions (guild_id, tag_key);
CREATE TABLE subscription_settings (
    guild_id INTEGER PRIMARY KEY,
    enabled INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE ping_batches (
    convo_id TEXT PRIMARY KEY,
    tags TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE pings (
    scope TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    convo_id TEXT NOT NULL,
    message_id INTEGER,
    PRIMARY KEY (scope, user_id)
);
CREATE INDEX pings_by_session ON pings (convo_id);
