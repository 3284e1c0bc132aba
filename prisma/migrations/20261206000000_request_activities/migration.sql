-- What each request's holder did with the access (issue 19): the latest activity summary per request.
CREATE TABLE "request_activities" (
    "request_id" UUID NOT NULL,
    "summarised_at" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL,
    "is_complete" BOOLEAN NOT NULL,
    "total_calls" INTEGER NOT NULL DEFAULT 0,
    "sensitive_calls" INTEGER NOT NULL DEFAULT 0,
    "secret_reads" INTEGER NOT NULL DEFAULT 0,
    "denied_calls" INTEGER NOT NULL DEFAULT 0,
    "after_end_calls" INTEGER NOT NULL DEFAULT 0,
    "node_sign_ins" INTEGER NOT NULL DEFAULT 0,
    "summary" JSONB NOT NULL,
    "event_seq" BIGINT NOT NULL,

    CONSTRAINT "request_activities_pkey" PRIMARY KEY ("request_id"),
    CONSTRAINT "request_activities_status_check" CHECK ("status" IN ('summarised', 'unavailable'))
);

CREATE INDEX "request_activities_summarised_at_idx" ON "request_activities"("summarised_at");
