"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

export interface NavItem {
  href: string;
  label: string;
  /** what waits there for the viewer (Approvals: requests they can still decide), shown as a badge */
  pending?: number;
}

/** A count as a badge reads: at most two digits. */
export const badgeCount = (n: number) => (n > 99 ? "99+" : String(n));

export function MainNav({ items }: { items: NavItem[] }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Main">
      <ul className="flex flex-col gap-1 md:flex-row">
        {items.map((item) => {
          const isCurrent = pathname === item.href || pathname.startsWith(`${item.href}/`);
          return (
            <li key={item.href}>
              <Link
                href={item.href}
                aria-current={isCurrent ? "page" : undefined}
                // The count is drawn by CSS from data-pending, so the link's text stays its label; its
                // name says it in words ("Approvals, 3 pending").
                aria-label={item.pending ? `${item.label}, ${item.pending} pending` : undefined}
                data-pending={item.pending ? badgeCount(item.pending) : undefined}
                className={`inline-flex items-center gap-2 rounded-md px-3 py-2 text-sm font-medium ${
                  isCurrent ? "bg-brand-700 text-white" : "text-slate-700 hover:bg-slate-200"
                } ${
                  item.pending
                    ? "after:min-w-6 after:rounded-full after:bg-rose-700 after:px-1.5 after:py-0.5 after:text-center after:text-xs after:font-semibold after:text-white after:content-[attr(data-pending)]"
                    : ""
                }`}
              >
                {item.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

/** The way to the notification list, with the unread count in words for screen readers ("Notifications, 3 unread"). */
export function NotificationsLink({ unread }: { unread: number }) {
  const pathname = usePathname();
  const isCurrent = pathname === "/notifications";
  const label = unread > 0 ? `Notifications, ${unread} unread` : "Notifications, none unread";
  return (
    <Link
      href="/notifications"
      aria-label={label}
      aria-current={isCurrent ? "page" : undefined}
      className={`inline-flex items-center gap-2 rounded-md px-3 py-1.5 font-medium ${
        isCurrent ? "bg-brand-700 text-white" : "text-slate-700 hover:bg-slate-200"
      }`}
    >
      <span aria-hidden="true">Notifications</span>
      {unread > 0 ? (
        <span
          aria-hidden="true"
          data-testid="unread-count"
          className="min-w-6 rounded-full bg-rose-700 px-1.5 py-0.5 text-center text-xs font-semibold text-white"
        >
          {badgeCount(unread)}
        </span>
      ) : null}
    </Link>
  );
}
