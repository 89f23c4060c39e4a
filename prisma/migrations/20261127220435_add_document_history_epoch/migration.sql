-- AlterTable
ALTER TABLE "documents" ADD COLUMN     "history_epoch" INTEGER NOT NULL DEFAULT 0;
