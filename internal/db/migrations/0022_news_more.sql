-- News (internal/news), continued: editing and withdrawing a published
-- news item, asking again for acknowledgement (the previous round kept in
-- news_ack_history), attachments sealed through internal/files, and the
-- automatic reminders of news and surveys (claimed once per stage, so that
-- replicas running them together remind once).

ALTER TABLE news ADD COLUMN edited_at BIGINT NOT NULL DEFAULT 0;      -- last edit after publication, 0: none
ALTER TABLE news ADD COLUMN withdrawn_at BIGINT NOT NULL DEFAULT 0;   -- 0: not withdrawn
ALTER TABLE news ADD COLUMN ack_round INTEGER NOT NULL DEFAULT 1;     -- 1, then +1 each time acknowledgement is asked again
ALTER TABLE news ADD COLUMN round_since BIGINT NOT NULL DEFAULT 0;    -- when the current round was asked again, 0: at publication
ALTER TABLE news ADD COLUMN auto_reminded TEXT NOT NULL DEFAULT '';   -- last automatic reminder claimed, "ROUND:STAGE"

-- The acknowledgements of the rounds before the current one.
CREATE TABLE news_ack_history (
    news_id    TEXT NOT NULL REFERENCES news(id) ON DELETE CASCADE,
    person_id  TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    round      INTEGER NOT NULL,
    read_at    BIGINT NOT NULL DEFAULT 0,
    acked_at   BIGINT NOT NULL,
    PRIMARY KEY (news_id, person_id, round)
);

CREATE TABLE news_attachments (
    news_id  TEXT NOT NULL REFERENCES news(id) ON DELETE CASCADE,
    file_id  TEXT NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    PRIMARY KEY (news_id, file_id)
);
CREATE INDEX news_attachments_file ON news_attachments (file_id);

ALTER TABLE surveys ADD COLUMN reminded_on TEXT NOT NULL DEFAULT '';          -- the last day (Paris) its author reminded
ALTER TABLE surveys ADD COLUMN auto_reminded BOOLEAN NOT NULL DEFAULT FALSE;  -- the eve's reminder was sent
