-- Evidence: every record stored once in the object store (content-addressed by the sha256 of its
-- canonical JSON) and indexed here; bundles and verdicts per release and environment; SBOM
-- components and scan findings for triage.

-- A surrogate key keeps the triage tables narrow (5 million component rows at 10,000 releases).
ALTER TABLE releases ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY UNIQUE;

-- One row per distinct evidence document.
CREATE TABLE evidence (
    sha256          text        PRIMARY KEY,          -- sha256:<hex> of the canonical JSON = object store id
    type            text        NOT NULL,             -- PROVENANCE, SBOM, SCAN, VEX, LOCKFILE, EVALUATION, DEPENDENCY_DIFF, BUNDLE
    media_type      text        NOT NULL,             -- as given or as found in the registry
    size            bigint      NOT NULL,             -- bytes of the canonical JSON
    predicate_type  text,                             -- in-toto predicateType when the record is an attestation
    subject_digests text[]      NOT NULL DEFAULT '{}',-- in-toto subjects (sha256:<hex>) when an attestation
    stored_at       timestamptz NOT NULL DEFAULT now()
);

-- Which releases an evidence record belongs to, and how it arrived.
CREATE TABLE release_evidence (
    service   text        NOT NULL,
    commit    text        NOT NULL,
    sha256    text        NOT NULL REFERENCES evidence (sha256),
    source    text        NOT NULL,                   -- upload:<principal>, registry:att, registry:referrer, layout:att, layout:referrer, gantry
    added_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (service, commit, sha256),
    FOREIGN KEY (service, commit) REFERENCES releases (service, commit)
);

-- The newest evidence bundle of a release in an environment; the bundle document itself is
-- evidence (type BUNDLE) and lists every member's digest and every gate's verdict.
CREATE TABLE evidence_bundles (
    service       text        NOT NULL,
    commit        text        NOT NULL,
    environment   text        NOT NULL,
    bundle_sha256 text        NOT NULL REFERENCES evidence (sha256),
    outcome       text        NOT NULL CHECK (outcome IN ('PASS', 'FAIL', 'MISSING')),
    policy_sha256 text        NOT NULL,               -- sha256:<hex> of the environment policy's canonical JSON
    assessed_at   timestamptz NOT NULL,
    PRIMARY KEY (service, commit, environment),
    FOREIGN KEY (service, commit) REFERENCES releases (service, commit)
);

-- Each gate's verdict in a bundle, with the evidence it read: answers "which gates used this record".
CREATE TABLE gate_verdicts (
    bundle_sha256 text   NOT NULL REFERENCES evidence (sha256),
    gate          text   NOT NULL,
    outcome       text   NOT NULL CHECK (outcome IN ('PASS', 'FAIL', 'MISSING')),
    reasons       jsonb  NOT NULL,                    -- array of sentences
    evidence      text[] NOT NULL DEFAULT '{}',       -- sha256 of the records the gate read
    PRIMARY KEY (bundle_sha256, gate)
);
CREATE INDEX gate_verdicts_evidence ON gate_verdicts USING gin (evidence);

-- Distinct components across all SBOMs: identity is the purl, or type/name@version without one.
CREATE TABLE components (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key      text   NOT NULL UNIQUE,                  -- purl, or "<type>:<name>@<version>"
    purl     text,
    name     text   NOT NULL,
    version  text,
    type     text,
    licenses text[] NOT NULL DEFAULT '{}',
    hashes   jsonb  NOT NULL DEFAULT '{}'             -- {"SHA-256": "<hex>", ...}
);
CREATE INDEX components_purl ON components (purl);
CREATE INDEX components_name_version ON components (name, version);
-- purl without version/qualifiers, for "any version of this package" queries
CREATE INDEX components_purl_base ON components ((split_part(split_part(purl, '@', 1), '?', 1)));

-- Which release contains which component (from the SBOM the gate accepted).
CREATE TABLE release_components (
    component_id bigint NOT NULL REFERENCES components (id),
    release_id   bigint NOT NULL REFERENCES releases (id),
    PRIMARY KEY (component_id, release_id)
);
CREATE INDEX release_components_release ON release_components (release_id);

-- Findings from the scan reports a release's gates read, for ?vulnerability= triage.
CREATE TABLE scan_findings (
    release_id    bigint NOT NULL REFERENCES releases (id),
    vulnerability text   NOT NULL,
    purl          text   NOT NULL DEFAULT '',
    severity      text   NOT NULL,
    fixed_version text,
    evidence      text   NOT NULL,                    -- sha256 of the scan report
    PRIMARY KEY (release_id, vulnerability, purl)
);
CREATE INDEX scan_findings_vulnerability ON scan_findings (vulnerability);

-- The evidence bundle a promotion was approved on (what its approvals are bound to).
ALTER TABLE promotions ADD COLUMN evidence_bundle text;
