"use client";
import { useRouter } from "next/navigation";
import { createContext, useContext, useEffect, type ReactNode } from "react";
import { UTC } from "@/lib/domain/time-zone";

const TimeZoneContext = createContext<string>(UTC);

/**
 * The zone every time on the page is shown in: the viewer's stored zone, known on the server, so
 * that the server's HTML and the hydrated page say the same (no flash from UTC to local time).
 */
export function TimeZoneProvider({ zone, children }: { zone: string; children: ReactNode }) {
  return <TimeZoneContext.Provider value={zone}>{children}</TimeZoneContext.Provider>;
}

export const useTimeZone = () => useContext(TimeZoneContext);

/**
 * Tells the server the browser's zone when it differs from the stored one (first visit, travel,
 * a new laptop), then re-renders the page in it. `save` is a server action; it refuses names that
 * are not zones, and then nothing changes.
 */
export function TimeZoneSync({ stored, save }: { stored: string | null; save: (zone: string) => Promise<boolean> }) {
  const router = useRouter();
  useEffect(() => {
    const browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!browser || browser === stored) return;
    let isCurrent = true;
    void save(browser).then((isSaved) => {
      if (isSaved && isCurrent) router.refresh();
    });
    return () => {
      isCurrent = false;
    };
  }, [stored, save, router]);
  return null;
}
