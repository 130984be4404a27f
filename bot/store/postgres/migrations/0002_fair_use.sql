-- Fair use kept in the database, as SQLite's migration 0006 keeps it: each member's last
-- admitted start (the cooldown), the slot a /tag holds in its server from its admission until
-- its session row exists, and one row per server that every admission there locks first
-- (bot/store/interface/, AdmissionStore.admit).
CREATE TABLE member_cooldowns (
    user_id BIGINT PRIMARY KEY,
    last_start_at BIGINT NOT NULL
);

-- Keyed by the convoId the request will use: create_session deletes it in the transaction that
-- inserts the session. expires_at lets a hold lapse when its process died in between.
CREATE TABLE admission_holds (
    convo_id TEXT PRIMARY KEY,
    guild_id BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX admission_holds_by_guild ON admission_holds (guild_id, expires_at);

-- Locked by an upsert at the start of every admission in the server, so that counting the
-- server's slots and taking one are never interleaved between processes.
CREATE TABLE admission_locks (
    guild_id BIGINT PRIMARY KEY,
    locked_at BIGINT NOT NULL
);
