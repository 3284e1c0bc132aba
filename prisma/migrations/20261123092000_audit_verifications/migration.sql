-- CreateTable
CREATE TABLE "audit_verifications" (
    "id" UUID NOT NULL,
    "ran_at" TIMESTAMPTZ(3) NOT NULL,
    "ran_by_upn" TEXT,
    "events" BIGINT NOT NULL,
    "unchained" BIGINT NOT NULL,
    "is_intact" BOOLEAN NOT NULL,
    "broken_seq" BIGINT,
    "broken_reason" TEXT,
    "last_seq" BIGINT,
    "last_hash" TEXT,
    "duration_ms" INTEGER NOT NULL,

    CONSTRAINT "audit_verifications_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "audit_verifications_ran_at_idx" ON "audit_verifications"("ran_at");
