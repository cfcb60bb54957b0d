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
