-- Notifications (lib/notify/): events recorded once per key, and the in-app list per recipient.
-- Email, Teams and Slack deliveries are pg-boss jobs, not rows here.

-- CreateTable
CREATE TABLE "notification_events" (
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "request_id" UUID NOT NULL,
    "data" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notification_events_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "notifications" (
    "id" UUID NOT NULL,
    "event_key" TEXT NOT NULL,
    "recipient_object_id" UUID NOT NULL,
    "recipient_upn" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "request_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "link_path" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "read_at" TIMESTAMPTZ(3),

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "notification_events_request_id_idx" ON "notification_events"("request_id");

-- CreateIndex
CREATE INDEX "notifications_recipient_object_id_created_at_idx" ON "notifications"("recipient_object_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "notifications_event_key_recipient_object_id_key" ON "notifications"("event_key", "recipient_object_id");

-- AddForeignKey
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_event_key_fkey" FOREIGN KEY ("event_key") REFERENCES "notification_events"("key") ON DELETE RESTRICT ON UPDATE CASCADE;
