import type { Metadata } from "next";
import Link from "next/link";
import { ActionButtonForm } from "@/components/action-button-form";
import { PageHeader } from "@/components/page-header";
import { LocalTime } from "@/components/local-time";
import { requireUser } from "@/lib/auth/current-user";
import { listMyNotifications, loadMyNotificationPreferences } from "@/lib/notify/queries";
import { ChannelPreferences } from "./_components/channel-preferences";
import { markReadAction } from "./actions";

export const metadata: Metadata = { title: "Notifications" };

export default async function NotificationsPage() {
  const user = await requireUser("/notifications");
  const [notifications, preferences] = await Promise.all([
    listMyNotifications(user),
    loadMyNotificationPreferences(user),
  ]);
  const unread = notifications.filter((n) => !n.isRead).length;
  return (
    <>
      <PageHeader title="Notifications">
        <p>
          What happened to requests you filed or may decide, newest first. The same news goes out by email, and to Teams
          or Slack where your platform team set that up.
        </p>
      </PageHeader>
      <ChannelPreferences isEmailEnabled={preferences.isEmailEnabled} />
      {unread > 0 ? (
        <div className="mb-4">
          <ActionButtonForm
            action={markReadAction.bind(null, null)}
            label={`Mark all ${unread} as read`}
            pendingLabel="Marking…"
          />
        </div>
      ) : null}
      {notifications.length === 0 ? (
        <p className="text-slate-600">You have no notifications yet.</p>
      ) : (
        <ol aria-label="Your notifications" className="space-y-3">
          {notifications.map((n) => (
            <li
              key={n.id}
              className={`rounded-lg border p-4 ${n.isRead ? "border-slate-200 bg-white" : "border-brand-700 bg-brand-50"}`}
              data-resolved={n.resolution ? "true" : undefined}
            >
              <article aria-labelledby={`notification-${n.id}`}>
                <h2 id={`notification-${n.id}`} className="font-semibold text-slate-900">
                  {n.isRead ? null : (
                    <span className="mr-2 rounded bg-brand-700 px-1.5 py-0.5 text-xs font-medium text-white">New</span>
                  )}
                  <Link href={n.linkPath} className="text-brand-700 underline">
                    {n.title}
                  </Link>
                </h2>
                <p className="mt-1 text-slate-700">{n.body}</p>
                {n.resolution ? (
                  <p className="mt-2 text-sm font-medium text-emerald-800" data-testid="resolution">
                    <span className="mr-2 rounded bg-emerald-100 px-1.5 py-0.5 text-xs text-emerald-900">Resolved</span>
                    {n.resolution}
                  </p>
                ) : null}
                <div className="mt-2 flex flex-wrap items-center gap-3 text-sm text-slate-600">
                  <LocalTime iso={n.createdAt} />
                  {n.isRead ? null : (
                    <ActionButtonForm
                      action={markReadAction.bind(null, n.id)}
                      label="Mark as read"
                      pendingLabel="Marking…"
                      context={n.title}
                    />
                  )}
                </div>
              </article>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
