-- Second factors sealed at rest (AES-256-GCM).
--
-- Instance keys are data keys that belong to the instance rather than to
-- an establishment: "account-secrets" seals the TOTP secrets and passkey
-- credentials of people, who may belong to several establishments (or,
-- for a while, to none). Like file_keys, a key is stored only wrapped by
-- the master key of the data directory, and a master-key rotation
-- re-wraps it (internal/files).
CREATE TABLE instance_keys (
    name        TEXT PRIMARY KEY,
    wrapped     {{BLOB}} NOT NULL,
    created_at  BIGINT NOT NULL
);

-- The sealed forms. The clear columns stay for the rows written before
-- this version: the server seals them at its first start with this
-- version (the master key is not in the database, so SQL alone cannot),
-- then empties the clear column; nothing writes it any more.
ALTER TABLE totp_credentials ADD COLUMN secret_sealed {{BLOB}};
ALTER TABLE webauthn_credentials ADD COLUMN credential_sealed {{BLOB}};
