import Link from "next/link";
import type { ReactNode } from "react";
import { HeaderMenu } from "@/components/header-menu";
import { LiveRefresh } from "@/components/live-refresh";
import { MainNav, NotificationsLink } from "@/components/main-nav";
import { countAwaitingMyDecision } from "@/lib/access/approval-queue";
import { dashboardVersion } from "@/lib/access/dashboard-stream";
import { getCurrentUser } from "@/lib/auth/current-user";
import { sectionsFor } from "@/lib/auth/navigation";
import { countMyUnreadNotifications } from "@/lib/notify/queries";
import { TimeZoneProvider, TimeZoneSync } from "@/components/time-zone";
import { viewerZone } from "@/lib/domain/time-zone";
import { saveBrowserTimeZone } from "./time-zone-action";

// Navigation, and the live stream that keeps every page current (components/live-refresh.tsx):
// every page checks the session and its permission itself.
export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const user = await getCurrentUser();
  const [unread, pending, version] = user
    ? await Promise.all([countMyUnreadNotifications(user), countAwaitingMyDecision(user), dashboardVersion(user)])
    : [0, 0, null];
  const sections = user
    ? sectionsFor(user.roles).map((s) => (s.href === "/approvals" && pending > 0 ? { ...s, pending } : s))
    : [];
  return (
    <TimeZoneProvider zone={viewerZone(user?.timeZone)}>
      {user ? <TimeZoneSync stored={user.timeZone ?? null} save={saveBrowserTimeZone} /> : null}
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:rounded focus:bg-white focus:px-3 focus:py-2"
      >
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-3 px-4 py-3">
          <Link href="/" className="text-lg font-semibold text-brand-900">
            AKS JIT
          </Link>
          {user ? (
            <HeaderMenu pending={pending}>
              <MainNav items={sections} />
              <div className="flex min-w-0 flex-wrap items-center gap-3 text-sm md:ml-auto">
                <NotificationsLink unread={unread} />
                <span className="min-w-0 break-words">
                  <span className="sr-only">Signed in as </span>
                  <span className="font-medium" data-testid="signed-in-user">
                    {user.displayName}
                  </span>
                  <span className="ml-1 text-slate-500">({user.userPrincipalName})</span>
                </span>
                <form action="/auth/sign-out" method="post">
                  <button
                    type="submit"
                    className="rounded-md border border-slate-300 px-3 py-1.5 font-medium hover:bg-slate-100"
                  >
                    Sign out
                  </button>
                </form>
              </div>
            </HeaderMenu>
          ) : null}
        </div>
      </header>
      <main id="main" className="mx-auto max-w-6xl px-4 py-6 sm:py-8">
        {children}
      </main>
      {version ? <LiveRefresh url="/events" version={version} /> : null}
    </TimeZoneProvider>
  );
}
