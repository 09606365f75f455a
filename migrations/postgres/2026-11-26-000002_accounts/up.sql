-- Single-use tokens mailed to people: account activation (72 h) and password reset (30 min).
CREATE TABLE account_tokens (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    purpose    TEXT NOT NULL CHECK (purpose IN ('activation', 'reset')),
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose);

-- Failed sign-ins per account ('account:<email>') and per client address ('ip:<addr>').
CREATE TABLE login_throttle (
    key          TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    last_failure TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);

CREATE INDEX sessions_active ON sessions (user_id, revoked_at, expires_at);
CREATE INDEX audit_log_time ON audit_log (id, action);
CREATE INDEX mail_outbox_status ON mail_outbox (status, id);
