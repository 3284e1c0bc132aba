-- AlterTable
ALTER TABLE "audit_events" ADD COLUMN     "hash" TEXT,
ADD COLUMN     "prev_hash" TEXT;

-- Every event recorded from now on carries its link in the chain. NOT VALID: events recorded before
-- this migration stay as they are (the history is append-only), and the verifier reports them as
-- recorded before the chain began.
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_chained" CHECK ("hash" IS NOT NULL AND "prev_hash" IS NOT NULL AND "hash" ~ '^[0-9a-f]{64}$' AND "prev_hash" ~ '^[0-9a-f]{64}$') NOT VALID;

-- One successor per event: two writers racing on the same previous hash cannot both commit.
CREATE UNIQUE INDEX "audit_events_prev_hash_key" ON "audit_events"("prev_hash");
