"use client";
import { useId, useState } from "react";
import { formatInZone, formatUtc } from "@/lib/domain/time-zone";
import { useTimeZone } from "./time-zone";

/**
 * A point in time in the viewer's zone (5 Dec 2026, 19:03:26 GMT+5:30), with the same moment in UTC
 * in a tooltip on hover and on keyboard focus (the ARIA tooltip pattern: Escape hides it) and as the
 * time's description for screen readers; `dateTime` carries the machine-readable instant.
 */
export function LocalTime({ iso }: { iso: string | Date }) {
  const zone = useTimeZone();
  const tooltipId = useId();
  const [isDismissed, setDismissed] = useState(false);
  const date = new Date(iso);
  const reveal = isDismissed ? "" : "group-hover:block group-focus-within:block";
  return (
    <span className="group relative inline-block" onMouseLeave={() => setDismissed(false)}>
      <time
        dateTime={date.toISOString()}
        tabIndex={0}
        aria-describedby={tooltipId}
        onKeyDown={(event) => {
          if (event.key === "Escape") setDismissed(true);
        }}
        onBlur={() => setDismissed(false)}
        // The server's ICU and the browser's may name an offset differently (GMT+5:30, IST): the
        // server's text stays until the next render rather than failing hydration.
        suppressHydrationWarning
        className="rounded-sm underline decoration-slate-400 decoration-dotted underline-offset-2 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-700"
      >
        {formatInZone(date, zone)}
      </time>
      <span
        id={tooltipId}
        role="tooltip"
        suppressHydrationWarning
        className={`absolute bottom-full left-0 z-20 mb-1 hidden w-max max-w-[16rem] rounded bg-slate-900 px-2 py-1 text-xs font-normal text-white shadow ${reveal}`}
      >
        {formatUtc(date)}
      </span>
    </span>
  );
}
