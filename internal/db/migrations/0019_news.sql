-- News (internal/news): written by staff and teachers for an audience, with
-- a publication window and a draft state. The audience is resolved into
-- news_recipients when the news is published, so that who was addressed is
-- exact and stays so whatever the directory becomes; reading and
-- acknowledging are tracked per recipient.

CREATE TABLE news (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    author_id         TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    title             TEXT NOT NULL,
    body              TEXT NOT NULL,
    audience          TEXT NOT NULL,          -- the audience as chosen, e.g. "profile:relative class:ID", for display
    class_students    BOOLEAN NOT NULL DEFAULT FALSE, -- for class targets: the students
    class_families    BOOLEAN NOT NULL DEFAULT FALSE, -- … and/or their legal guardians
    visible_from      BIGINT NOT NULL,        -- Unix seconds
    visible_until     BIGINT NOT NULL DEFAULT 0, -- 0: no end
    ack_required      BOOLEAN NOT NULL DEFAULT FALSE,
    ack_deadline      BIGINT NOT NULL DEFAULT 0, -- 0: none
    draft             BOOLEAN NOT NULL DEFAULT TRUE,
    published_at      BIGINT NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL,
    reminded_on       TEXT NOT NULL DEFAULT '' -- the last day (YYYY-MM-DD, Paris) the author reminded
);
CREATE INDEX news_author ON news (author_id, created_at);
CREATE INDEX news_establishment ON news (establishment_id, created_at);

-- One row per person addressed, written at publication.
CREATE TABLE news_recipients (
    news_id     TEXT NOT NULL REFERENCES news(id) ON DELETE CASCADE,
    person_id   TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    read_at     BIGINT NOT NULL DEFAULT 0,
    acked_at    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (news_id, person_id)
);
CREATE INDEX news_recipients_person ON news_recipients (person_id, acked_at);
