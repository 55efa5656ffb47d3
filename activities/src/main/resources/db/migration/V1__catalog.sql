-- Gantry catalog: what is queried across releases. Temporal keeps in-flight workflow state;
-- these tables only index what the activities recorded. Every write is an upsert so that a
-- retried activity writes once.

-- One row per release: a service built at a source commit, resolved to an image digest.
CREATE TABLE releases (
    service     text        NOT NULL,                 -- service name as in its ServiceSpec
    commit      text        NOT NULL,                 -- source git commit (40 hex)
    tag         text,                                 -- tag CI pushed, e.g. sha-<commit>; only used to find the digest
    digest      text,                                 -- image digest sha256:...; null until the tag is resolved
    author      text,                                 -- author of the source commit
    started_by  text,                                 -- principal that started the release (CI identity)
    workflow_id text,                                 -- ReleaseWorkflow id, release/<service>/<commit>
    status      text        NOT NULL,                 -- latest release status reported by the workflow
    created_at  timestamptz NOT NULL,                 -- when the release started; never changed by later updates
    updated_at  timestamptz NOT NULL,                 -- when the catalog last wrote this row
    PRIMARY KEY (service, commit)
);
CREATE INDEX releases_service_created_at ON releases (service, created_at DESC);
CREATE INDEX releases_digest ON releases (digest);

-- Environment history: every promotion, compensation and rollback that touched an environment.
CREATE TABLE promotions (
    id           text        PRIMARY KEY,             -- <workflow id>/<run id>, plus a suffix for a compensation
    service      text        NOT NULL,
    environment  text        NOT NULL,
    kind         text        NOT NULL
                 CHECK (kind IN ('PROMOTION', 'COMPENSATION', 'ROLLBACK')),
    digest       text        NOT NULL,                -- the digest this entry pinned (or tried to)
    commit       text,                                -- release source commit; null for a digest with no known release
    git_commit   text,                                -- GitOps commit that pinned the digest; null if git was never changed
    outcome      text        NOT NULL,                -- environment state: PROMOTING, VERIFYING, PROMOTED, COMPENSATED, FAILED, ...
                                                      -- PROMOTED = live and verified healthy (a last known good candidate)
    approved_by  text[]      NOT NULL DEFAULT '{}',   -- approvers of this promotion
    by_principal text,                                -- who caused the entry (rollbacks: the on-call engineer)
    reason       text,                                -- why, as given by that principal or the workflow
    at           timestamptz NOT NULL,                -- when it happened; orders the history
    recorded_at  timestamptz NOT NULL DEFAULT now()   -- when the catalog first stored the entry
);
CREATE INDEX promotions_service_environment_at ON promotions (service, environment, at DESC);

-- Where each environment stands, derived from its history (plus the hold, set separately).
CREATE TABLE environments (
    service                text        NOT NULL,
    environment            text        NOT NULL,
    current_digest         text,                      -- digest pinned in git now; null before the first promotion
    current_commit         text,                      -- release commit of current_digest, if known
    last_known_good_digest text,                      -- newest digest promoted here and verified healthy
    last_known_good_commit text,
    hold_by                text,                      -- a hold stops automatic promotion; all three null = no hold
    hold_reason            text,
    hold_at                timestamptz,
    updated_at             timestamptz,               -- `at` of the newest history entry reflected in current_*;
                                                      -- older entries never move the row back. Null while only a hold was set
    PRIMARY KEY (service, environment)
);
