-- Evaluations waiting for their evaluator. Gantry POSTs a release to the service's evaluation
-- endpoint with a random token; the evaluator answers at POST /api/v1/evaluations/{token}, which
-- looks the token up here and completes the waiting Temporal activity by its task token.
CREATE TABLE evaluation_requests (
    token        text        PRIMARY KEY,             -- 256 random bits, base64url: the callback's capability
    task_token   bytea       NOT NULL,                -- Temporal task token of the newest attempt waiting for it
    workflow_id  text        NOT NULL,
    run_id       text        NOT NULL,
    activity_id  text        NOT NULL,                -- stable across attempts: a retry reuses the open token
    attempt      integer     NOT NULL,                -- the attempt task_token belongs to
    service      text        NOT NULL,
    commit       text        NOT NULL,
    digest       text        NOT NULL,
    url          text        NOT NULL,                -- the evaluation endpoint that was asked
    requested_at timestamptz NOT NULL DEFAULT now(),  -- first request; a retry keeps it
    deadline     timestamptz NOT NULL,                -- when the waiting attempt times out; later results are refused
    completed_at timestamptz,                         -- null while waiting
    completed_by text,                                -- who delivered the result: the callback's caller, or the endpoint
    metrics      jsonb,                               -- {name: number} as accepted
    -- CALLBACK: POST /api/v1/evaluations/{token}; RESPONSE: the endpoint answered 200 at once;
    -- POLL: its status location answered 200; FAILED: the endpoint refused or answered nonsense
    outcome      text        CHECK (outcome IN ('CALLBACK', 'RESPONSE', 'POLL', 'FAILED')),
    CHECK ((completed_at IS NULL) = (outcome IS NULL)),
    CHECK (outcome IS NULL OR outcome = 'FAILED' OR metrics IS NOT NULL)
);
-- At most one open request per activity and release: a retried attempt finds and reuses it.
CREATE UNIQUE INDEX evaluation_requests_open
    ON evaluation_requests (workflow_id, activity_id, service, commit, digest)
    WHERE completed_at IS NULL;
CREATE INDEX evaluation_requests_activity
    ON evaluation_requests (workflow_id, activity_id, requested_at DESC);
