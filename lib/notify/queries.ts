import "server-only";
import { z } from "zod";
import { parseInput } from "@/lib/validation/parse-input";
import { authorize } from "@/lib/auth/authorize";
import type { SessionUser } from "@/lib/context";
import { db } from "@/lib/db/client";

/**
 * The in-app notifications. A person reads and marks only their own: every query is keyed by the
 * viewer's Entra object id, never by an id from the browser alone.
 */

export interface NotificationView {
  id: string;
  kind: string;
  title: string;
  body: string;
  linkPath: string;
  requestId: string;
  createdAt: string;
  isRead: boolean;
  /** how an "approval needed" item was settled ("Approved by p02@… at …"); null while it still asks */
  resolution: string | null;
}

export async function listMyNotifications(viewer: SessionUser, take = 50): Promise<NotificationView[]> {
  authorize(viewer, "access.request");
  const rows = await db.notification.findMany({
    where: { recipientObjectId: viewer.entraObjectId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
  });
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    linkPath: row.linkPath,
    requestId: row.requestId,
    createdAt: row.createdAt.toISOString(),
    // A settled item asks nothing of anyone: it is not news waiting to be read.
    isRead: row.readAt !== null || row.resolvedAt !== null,
    resolution: row.resolution,
  }));
}

export async function countMyUnreadNotifications(viewer: SessionUser): Promise<number> {
  authorize(viewer, "access.request");
  return db.notification.count({ where: { recipientObjectId: viewer.entraObjectId, readAt: null, resolvedAt: null } });
}

const ZMarkReadInput = z.object({ id: z.uuid("Not a notification id.").optional() });

/** Marks one of the viewer's notifications read, or all of them without an id. Another person's id changes nothing. */
export async function markNotificationsRead(viewer: SessionUser, input: { id?: string }, now: Date): Promise<number> {
  authorize(viewer, "access.request");
  const { id } = parseInput(ZMarkReadInput, input);
  const { count } = await db.notification.updateMany({
    where: { recipientObjectId: viewer.entraObjectId, readAt: null, resolvedAt: null, ...(id && { id }) },
    data: { readAt: now },
  });
  return count;
}

export interface NotificationPreferencesView {
  isEmailEnabled: boolean;
}

/** The viewer's channel choices; the defaults (mail on) until they save any. */
export async function loadMyNotificationPreferences(viewer: SessionUser): Promise<NotificationPreferencesView> {
  authorize(viewer, "access.request");
  const row = await db.notificationPreference.findUnique({ where: { recipientObjectId: viewer.entraObjectId } });
  return { isEmailEnabled: row?.isEmailEnabled ?? true };
}

const ZPreferencesInput = z.object({ isEmailEnabled: z.boolean() });

/** Saves the viewer's channel choices, for their own Entra object id only. */
export async function saveMyNotificationPreferences(
  viewer: SessionUser,
  input: NotificationPreferencesView,
  now: Date,
): Promise<NotificationPreferencesView> {
  authorize(viewer, "access.request");
  const { isEmailEnabled } = parseInput(ZPreferencesInput, input);
  await db.notificationPreference.upsert({
    where: { recipientObjectId: viewer.entraObjectId },
    create: { recipientObjectId: viewer.entraObjectId, isEmailEnabled, updatedAt: now },
    update: { isEmailEnabled, updatedAt: now },
  });
  return { isEmailEnabled };
}
