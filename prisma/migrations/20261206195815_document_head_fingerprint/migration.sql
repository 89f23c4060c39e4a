-- AlterTable
ALTER TABLE "documents" ADD COLUMN     "head_fingerprint" TEXT NOT NULL DEFAULT '';
