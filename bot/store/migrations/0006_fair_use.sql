-- Fair use kept in the database, so it holds across restarts and across bot processes sharing
-- it (bot/store/interface/, AdmissionStore.admit): each member's last admitted start (the
-- cooldown), and the slot a /tag holds in its server from its admission until its session row
-- exists (the per-server cap counts awaiting sessions plus unexpired holds).
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

-- One row per server, locked first by every admission there on PostgreSQL, so that counting the
-- server's slots and taking one are never interleaved. SQLite's single writer already
-- serialises admissions (and locks out other processes), so it leaves this table empty.
CREATE TABLE admission_locks (
    guild_id BIGINT PRIMARY KEY,
    locked_at BIGINT NOT NULL
);
