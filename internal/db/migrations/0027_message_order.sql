-- A conversation's messages in the order they were written: created_at
-- counts seconds, and an answer written in the same second as the message
-- it answers must not come before it. Messages written before this
-- migration keep 0 and their order by time.
ALTER TABLE msg_messages ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
