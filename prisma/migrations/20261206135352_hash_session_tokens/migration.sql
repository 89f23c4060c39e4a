-- Sessions store a SHA-256 hash (hex) of the cookie's token instead of the token
-- (lib/auth/sessions.ts). Existing sessions keep working: their tokens are hashed in place, so the
-- cookies people already hold still find their row. sha256() is built into PostgreSQL 11+.
UPDATE "sessions" SET "session_token" = encode(sha256(convert_to("session_token", 'UTF8')), 'hex');
