-- The audit log's index. Each record itself is canonical JSON in the object store, addressed by
-- its sha256 and naming the sha256 of the record before it; this table orders the chain and
-- finds records by service. Append-only: nothing updates or deletes rows.
CREATE TABLE audit_log (
    seq             bigserial   PRIMARY KEY,
    -- the event's own id (a retried append finds its first record)
    event_id        text        NOT NULL UNIQUE,
    -- sha256:<hex> of the canonical record in the object store
    sha256          text        NOT NULL UNIQUE,
    -- sha256 of the record before it; NULL only for the first record
    previous_sha256 text,
    -- PROMOTION, COMPENSATION or ROLLBACK
    kind            text        NOT NULL,
    service         text        NOT NULL,
    environment     text,
    -- the workflow execution the event is about (<workflow id>/<run id>)
    subject         text,
    outcome         text,
    at              timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX audit_log_service_seq ON audit_log (service, seq DESC);
CREATE INDEX audit_log_subject ON audit_log (subject);
