-- Erasure queue of stored files' blobs. Deleting a row of files, by any
-- path (an explicit DELETE, or a cascade from people, establishments,
-- class log entries…), queues its storage key in the same transaction:
-- the row and the promise to erase its blob commit or roll back together.
-- files.(*Store).EraseQueued deletes the queued blobs from the storage
-- backend, then their queue rows; a blob whose deletion fails stays
-- queued and is retried by the next run.
CREATE TABLE file_erasures (
    storage_key  TEXT PRIMARY KEY,
    queued_at    BIGINT NOT NULL
);
CREATE INDEX file_erasures_queued_at ON file_erasures (queued_at);

{{POSTGRES}}
CREATE FUNCTION files_queue_erasure() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO file_erasures (storage_key, queued_at)
    VALUES (OLD.storage_key, CAST(EXTRACT(EPOCH FROM now()) AS BIGINT))
    ON CONFLICT (storage_key) DO NOTHING;
    RETURN OLD;
END
$$;
CREATE TRIGGER files_queue_erasure AFTER DELETE ON files
    FOR EACH ROW EXECUTE FUNCTION files_queue_erasure();
{{END}}
{{SQLITE}}
-- SQLite fires this trigger for rows deleted by a foreign-key cascade too
-- (checked by internal/files tests on both engines).
CREATE TRIGGER files_queue_erasure AFTER DELETE ON files
BEGIN
    INSERT OR IGNORE INTO file_erasures (storage_key, queued_at)
    VALUES (OLD.storage_key, CAST(strftime('%s', 'now') AS INTEGER));
END;
{{END}}

-- Deleting a file cascades to its references, and the purge looks for
-- files nothing refers to: both look references up by file.
CREATE INDEX classlog_attachments_file ON classlog_attachments (file_id);
CREATE INDEX homework_submissions_file ON homework_submissions (file_id);

-- The purge counts the stored files it deleted (their blobs are erased
-- through the queue).
ALTER TABLE purge_runs ADD COLUMN files_deleted INTEGER NOT NULL DEFAULT 0;
