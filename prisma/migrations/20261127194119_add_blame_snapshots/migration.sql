-- CreateTable
CREATE TABLE "blame_snapshots" (
    "document_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "author_ids" TEXT[],
    "runs" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "blame_snapshots_pkey" PRIMARY KEY ("document_id","version")
);

-- AddForeignKey
ALTER TABLE "blame_snapshots" ADD CONSTRAINT "blame_snapshots_document_id_fkey" FOREIGN KEY ("document_id") REFERENCES "documents"("id") ON DELETE CASCADE ON UPDATE CASCADE;
