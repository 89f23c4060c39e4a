-- CreateTable
CREATE TABLE "document_invitations" (
    "id" TEXT NOT NULL,
    "document_id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "role" "document_role" NOT NULL,
    "invited_by_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "document_invitations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "document_invitations_email_idx" ON "document_invitations"("email");

-- CreateIndex
CREATE UNIQUE INDEX "document_invitations_document_id_email_key" ON "document_invitations"("document_id", "email");

-- AddForeignKey
ALTER TABLE "document_invitations" ADD CONSTRAINT "document_invitations_document_id_fkey" FOREIGN KEY ("document_id") REFERENCES "documents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "document_invitations" ADD CONSTRAINT "document_invitations_invited_by_id_fkey" FOREIGN KEY ("invited_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
