"use client";
import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";

/** How often the page re-reads itself when the live stream is unavailable. */
const POLL_MS = 5_000;

/**
 * Keeps the server-rendered dashboard current without a reload: listens to the viewer's server-sent
 * event stream (`url`), and re-renders the page (router.refresh(), which keeps scroll, focus and
 * typed input) when the stream's first `version` differs from the one the page was rendered with,
 * and on every `change` after it. If the stream cannot be opened or is closed for good, it polls.
 */
export function LiveRefresh({ url, version }: { url: string; version: string }) {
  const router = useRouter();
  const shown = useRef(version);
  useEffect(() => {
    shown.current = version;
  }, [version]);

  useEffect(() => {
    let poll: ReturnType<typeof setInterval> | null = null;
    const startPolling = () => {
      poll ??= setInterval(() => router.refresh(), POLL_MS);
    };
    const stopPolling = () => {
      if (poll) clearInterval(poll);
      poll = null;
    };
    if (typeof EventSource === "undefined") {
      startPolling();
      return stopPolling;
    }
    const source = new EventSource(url);
    source.addEventListener("open", stopPolling);
    source.addEventListener("version", (event) => {
      const { version: latest } = JSON.parse((event as MessageEvent<string>).data) as { version: string };
      if (latest !== shown.current) router.refresh();
    });
    source.addEventListener("change", () => router.refresh());
    // EventSource retries by itself after a dropped connection; it gives up (CLOSED) on an error status.
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED) startPolling();
    });
    return () => {
      source.close();
      stopPolling();
    };
  }, [url, router]);

  return null;
}
