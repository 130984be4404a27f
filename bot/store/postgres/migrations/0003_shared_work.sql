-- Work that several bot processes must not do twice, as SQLite's migration 0007 keeps it
-- (bot/store/interface/): a session's poll lease, so two monitors never poll it at once, and
-- the next free gateway IDENTIFY slot per bucket, so processes space their identifies.
ALTER TABLE sessions ADD COLUMN poll_lease_until BIGINT NOT NULL DEFAULT 0;

CREATE TABLE identify_slots (
    bucket INTEGER PRIMARY KEY,
    next_at BIGINT NOT NULL
);
