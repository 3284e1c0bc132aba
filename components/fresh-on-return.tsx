"use client";
import { useRouter } from "next/navigation";
import { useEffect } from "react";

/** The renders this tab has shown (module state: it lives as long as the tab's app). */
const shownRenders = new Set<string>();

/**
 * Back and Forward restore a page from the client router's cache, as it was rendered then: a list
 * shown before a request was filed would say "You have not requested anything yet." after Back.
 * Each server render carries a fresh `renderId`; seeing one again means the page came from that
 * cache, so it is re-read once. A new navigation or a reload is a new render and costs nothing.
 */
export function FreshOnReturn({ renderId }: { renderId: string }) {
  const router = useRouter();
  useEffect(() => {
    if (shownRenders.has(renderId)) router.refresh();
    else shownRenders.add(renderId);
  }, [renderId, router]);
  return null;
}
