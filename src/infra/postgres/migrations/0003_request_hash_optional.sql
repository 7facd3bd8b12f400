-- The request hash only serves Idempotency-Key replays; requests without a key
-- skip hashing their whole body.
ALTER TABLE actions ALTER COLUMN request_hash DROP NOT NULL;
