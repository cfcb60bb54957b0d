-- Each person's daily digest hour (internal/delivery): a whole hour,
-- Europe/Paris, from 6 to 22; NULL means the instance's 18:00. The weekly
-- digest leaves on Friday at the same hour. daily_sent_to and
-- weekly_sent_to hold, from the last change of hour, the end (Unix
-- seconds) of the last daily and weekly digests, so that the next ones
-- start where those ended: nothing twice, nothing skipped.
ALTER TABLE delivery_settings ADD COLUMN digest_hour INTEGER;
ALTER TABLE delivery_settings ADD COLUMN daily_sent_to BIGINT;
ALTER TABLE delivery_settings ADD COLUMN weekly_sent_to BIGINT;
