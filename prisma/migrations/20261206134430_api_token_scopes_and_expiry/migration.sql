-- AlterTable
ALTER TABLE "api_tokens" ADD COLUMN     "expires_at" TIMESTAMPTZ(3),
ADD COLUMN     "scopes" TEXT[] DEFAULT ARRAY['read', 'write']::TEXT[];

-- Tokens made before scopes existed could do anything their account could. They keep every
-- document scope their integrations may rely on, but lose `account`: no existing token can mint
-- tokens or revoke them any more (create a token with the `account` scope for that).
UPDATE "api_tokens" SET "scopes" = ARRAY['read', 'write', 'share', 'delete']::TEXT[];
