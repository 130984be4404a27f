-- Only awaiting sessions and pending deliveries are ever looked up by state, so those are the only
-- rows the state indexes hold. Completing a session then removes one entry from each index instead
-- of moving it, and a delivered row leaves the due index: less written per webhook commit.
-- Partial indexes are portable (PostgreSQL has them); queries must name the states as literals.
DROP INDEX sessions_by_state;
DROP INDEX sessions_by_guild;
DROP INDEX deliveries_due;
CREATE INDEX sessions_awaiting ON sessions (created_at) WHERE state IN ('starting', 'running');
CREATE INDEX sessions_awaiting_by_guild ON sessions (guild_id)
    WHERE state IN ('starting', 'running');
CREATE INDEX deliveries_pending ON deliveries (next_attempt_at) WHERE state = 'pending';
