-- One partial index serves both questions asked of awaiting sessions: which are overdue (in
-- created_at order) and how many a guild has (guild_id is in the index, so no row is read).
-- Every completion removes its session from each awaiting index, so one index instead of two
-- makes each webhook cheaper.
DROP INDEX sessions_awaiting;
DROP INDEX sessions_awaiting_by_guild;
CREATE INDEX sessions_awaiting ON sessions (created_at, guild_id)
    WHERE state IN ('starting', 'running');
