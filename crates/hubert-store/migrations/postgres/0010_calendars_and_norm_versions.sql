-- Versioned opening hours and norms per profile (issue 9). A version applies from
-- effective_from (epoch ms) until the next version of the same profile; a message is
-- scored under the versions in force when it arrived. Without calendar versions a
-- profile's clock runs 24/7; without norm versions the profile's own columns hold.
CREATE TABLE calendar_versions (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    profile_id TEXT NOT NULL,
    effective_from BIGINT NOT NULL,
    -- The calendar as given to the API (time zone, mode, periods, holidays, closed, special).
    spec TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX calendar_versions_profile ON calendar_versions (workspace_id, profile_id, effective_from);
CREATE TABLE norm_versions (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    profile_id TEXT NOT NULL,
    effective_from BIGINT NOT NULL,
    threshold_minutes BIGINT NOT NULL,
    target_percent DOUBLE PRECISION NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX norm_versions_profile ON norm_versions (workspace_id, profile_id, effective_from);
-- The response time in business time under the calendar in force at arrival (equal to
-- response_ms for profiles whose clock runs 24/7).
ALTER TABLE messages ADD COLUMN business_response_ms BIGINT;
UPDATE messages SET business_response_ms = response_ms WHERE response_ms IS NOT NULL;
