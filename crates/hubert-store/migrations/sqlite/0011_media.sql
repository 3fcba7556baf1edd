-- Inbound media (photos of a meter, a letter, a video): fetched while the platform's link is
-- still valid and kept in a content-addressed store on disk (HUBERT_MEDIA_DIR); this row says
-- where a message's attachment stands. source: the platform's media id or link.
CREATE TABLE media (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    profile_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    mime TEXT,
    filename TEXT,
    sha256 TEXT,
    size BIGINT,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    error TEXT,
    created_at BIGINT NOT NULL,
    fetched_at BIGINT
);
CREATE INDEX media_due ON media (state, next_attempt_at);
CREATE INDEX media_by_message ON media (message_id);
