-- CI OIDC tokens Gantry accepted, so that a captured token cannot be replayed: a token (its issuer
-- and jti) may start and extend only the release it was first used for. A row outlives its token
-- by a little (the clock skew) and is then deleted: an expired token is refused anyway.
CREATE TABLE ci_tokens (
    issuer        text        NOT NULL,               -- the token's iss
    jti           text        NOT NULL,               -- the token's jti
    service       text        NOT NULL,               -- the release it is bound to
    commit        text        NOT NULL,
    expires_at    timestamptz NOT NULL,               -- the token's exp
    first_used_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (issuer, jti)
);
CREATE INDEX ci_tokens_expires_at ON ci_tokens (expires_at);
