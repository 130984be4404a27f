-- The weekly digest of each server (bot/store/interface/digests.py): its schedule (weekday, hour
-- and time zone, or off), the next digest's due time, and the lease of the process posting it,
-- whose first attempt is kept so a resend after a crash can find what it posted. History and
-- digests read a server's sessions and alerts by time.
CREATE TABLE digests (
    guild_id INTEGER PRIMARY KEY,
    enabled INTEGER NOT NULL DEFAULT 1,
    weekday INTEGER NOT NULL,
    hour INTEGER NOT NULL,
    timezone TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    lease_until INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    first_attempt_at INTEGER,
    last_due_at INTEGER,
    message_id INTEGER,
    last_error TEXT,
    updated_at INTEGER NOT NULL
);
CREATE INDEX digests_due ON digests (due_at) WHERE enabled = 1;
CREATE INDEX sessions_by_guild_time ON sessions (guild_id, created_at);
CREATE INDEX alerts_by_guild_time ON alerts (guild_id, created_at);
