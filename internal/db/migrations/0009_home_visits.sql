-- Visits of the home page, for its "new since your last visit": one row
-- per person and per person the news are about (oneself, or each child a
-- relative looks at), owned by the directory (internal/directory/visits.go).
-- since_at is where the current visit's news start; seen_at the latest home
-- page of that visit (updated at most once a minute). A visit ends after
-- 30 minutes without coming back home, as an idle session does.
CREATE TABLE home_visits (
    person_id  TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    about_id   TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    since_at   BIGINT NOT NULL,
    seen_at    BIGINT NOT NULL,
    PRIMARY KEY (person_id, about_id)
);
CREATE INDEX home_visits_about ON home_visits (about_id);

-- The exceptional lessons of a day, for the day's changes of an
-- establishment (internal/timetable/today.go).
CREATE INDEX tt_slots_exceptional ON tt_slots (establishment_id, valid_from) WHERE exceptional;

-- What a class or group's log brought since an instant, for the home
-- page's news (internal/classlog/today.go): entries written or changed
-- since, and those scheduled earlier whose publication time came since.
-- The first two cover the query (a first visit reads a week of entries).
CREATE INDEX classlog_entries_class_updated ON classlog_entries (class_id, updated_at, publish_at, draft, id);
CREATE INDEX classlog_entries_group_updated ON classlog_entries (group_id, updated_at, publish_at, draft, id);
CREATE INDEX classlog_entries_class_publish ON classlog_entries (class_id, publish_at) WHERE publish_at > 0;
CREATE INDEX classlog_entries_group_publish ON classlog_entries (group_id, publish_at) WHERE publish_at > 0;
