-- The periodic rounds of the serve loops (reminders, announcements,
-- sweeps): every replica ticks, the first whose tick finds next_at passed
-- takes the round and runs it (jobs.TakeRound), the others skip it.
CREATE TABLE job_rounds (
    name     TEXT PRIMARY KEY,
    next_at  BIGINT NOT NULL, -- Unix milliseconds: no replica takes the round before
    holder   TEXT NOT NULL,   -- the replica that took it last (host/pid)
    taken_at BIGINT NOT NULL  -- Unix milliseconds
);
