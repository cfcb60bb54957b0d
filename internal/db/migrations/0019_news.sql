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

-- Surveys (internal/news, survey*.go): named or anonymous, for an audience
-- resolved at publication like news, open until closes_at. Answers are kept
-- until purged (news.PurgeSurveys, a year after closing by default).
CREATE TABLE surveys (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    author_id         TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    title             TEXT NOT NULL,
    intro             TEXT NOT NULL DEFAULT '',
    audience          TEXT NOT NULL,
    class_students    BOOLEAN NOT NULL DEFAULT FALSE,
    class_families    BOOLEAN NOT NULL DEFAULT FALSE,
    anonymous         BOOLEAN NOT NULL,
    closes_at         BIGINT NOT NULL,
    draft             BOOLEAN NOT NULL DEFAULT TRUE,
    published_at      BIGINT NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL,
    purged            BOOLEAN NOT NULL DEFAULT FALSE -- its answers were erased at the end of their keeping
);
CREATE INDEX surveys_author ON surveys (author_id, created_at);

CREATE TABLE survey_questions (
    id           TEXT PRIMARY KEY,
    survey_id    TEXT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('text', 'single', 'multiple')),
    label        TEXT NOT NULL,
    required     BOOLEAN NOT NULL DEFAULT FALSE,
    max_choices  INTEGER NOT NULL DEFAULT 0 -- multiple choice: 0 for no bound
);
CREATE INDEX survey_questions_survey ON survey_questions (survey_id, position);

CREATE TABLE survey_choices (
    id           TEXT PRIMARY KEY,
    question_id  TEXT NOT NULL REFERENCES survey_questions(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    label        TEXT NOT NULL
);
CREATE INDEX survey_choices_question ON survey_choices (question_id, position);

-- Who was asked and whether they have answered: no instant, so that
-- nothing orders those who answered against the responses.
CREATE TABLE survey_recipients (
    survey_id  TEXT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    person_id  TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    answered   BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (survey_id, person_id)
);
CREATE INDEX survey_recipients_person ON survey_recipients (person_id);

-- The responses: a random id, the respondent only for a named survey
-- (NULL when anonymous), and no instant. On SQLite the tables have no
-- rowid, so their rows are stored in the order of the random ids, not in
-- the order of answering.
{{SQLITE}}
CREATE TABLE survey_responses (
    id             TEXT PRIMARY KEY,
    survey_id      TEXT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    respondent_id  TEXT REFERENCES people(id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE TABLE survey_answers (
    response_id  TEXT NOT NULL REFERENCES survey_responses(id) ON DELETE CASCADE,
    question_id  TEXT NOT NULL REFERENCES survey_questions(id) ON DELETE CASCADE,
    choice_id    TEXT NOT NULL DEFAULT '', -- '' for a text answer
    text         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (response_id, question_id, choice_id)
) WITHOUT ROWID;
{{END}}
{{POSTGRES}}
CREATE TABLE survey_responses (
    id             TEXT PRIMARY KEY,
    survey_id      TEXT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    respondent_id  TEXT REFERENCES people(id) ON DELETE CASCADE
);
CREATE TABLE survey_answers (
    response_id  TEXT NOT NULL REFERENCES survey_responses(id) ON DELETE CASCADE,
    question_id  TEXT NOT NULL REFERENCES survey_questions(id) ON DELETE CASCADE,
    choice_id    TEXT NOT NULL DEFAULT '',
    text         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (response_id, question_id, choice_id)
);
{{END}}
CREATE INDEX survey_responses_survey ON survey_responses (survey_id);
CREATE INDEX survey_answers_question ON survey_answers (question_id);
