"use client";
import { useEffect, useState } from "react";

function describeLeft(milliseconds: number) {
  if (milliseconds <= 0) return "ended";
  const total = Math.floor(milliseconds / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const parts = [hours ? `${hours} h` : "", hours || minutes ? `${minutes} min` : "", `${seconds} s`];
  return `${parts.filter(Boolean).join(" ")} left`;
}

/**
 * Time left until `endAt`, ticking every second. The ticking text is a timer that screen readers do
 * not announce (aria-live off): pair it with a static end time, which is what changes meaningfully.
 * The first render uses the server's clock (`renderedAt`) so that hydration matches.
 */
export function Countdown({ endAt, renderedAt }: { endAt: string; renderedAt: number }) {
  const [now, setNow] = useState(renderedAt);
  const end = new Date(endAt).getTime();
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [end]);
  return (
    <span role="timer" aria-live="off" className="font-mono tabular-nums" data-testid="countdown">
      {describeLeft(end - now)}
    </span>
  );
}
