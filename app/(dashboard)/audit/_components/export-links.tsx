"use client";

import { useRef, useState } from "react";

const COUNT = new Intl.NumberFormat("en-GB");
const link = "font-medium text-brand-700 underline";

type Progress =
  | { state: "idle" }
  | { state: "running"; format: string; rows: number }
  | { state: "done"; format: string; rows: number }
  | { state: "failed"; message: string };

/** Rows in a chunk of the export: line ends, outside quoted CSV fields (which may hold line breaks). */
function rowCounter(isCsv: boolean) {
  let isQuoted = false;
  return (chunk: Uint8Array) => {
    let rows = 0;
    for (const byte of chunk) {
      if (isCsv && byte === 0x22) isQuoted = !isQuoted;
      else if (byte === 0x0a && !isQuoted) rows += 1;
    }
    return rows;
  };
}

const fileNameOf = (response: Response, fallback: string) =>
  /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "")?.[1] ?? fallback;

/**
 * The search's exports. Plain download links without JavaScript; with it, the file is fetched here so
 * that a large export shows how many events have arrived of how many, and can be stopped. The browser
 * keeps a large file's parts on disk, not in the page's memory.
 */
export function ExportLinks(props: { hrefs: Record<"csv" | "jsonl", string>; expected: number; isExact: boolean }) {
  const [progress, setProgress] = useState<Progress>({ state: "idle" });
  const abort = useRef<AbortController | null>(null);
  const of = `${props.isExact ? "" : "more than "}${COUNT.format(props.expected)}`;

  async function download(format: "csv" | "jsonl") {
    abort.current?.abort();
    const controller = (abort.current = new AbortController());
    setProgress({ state: "running", format, rows: 0 });
    try {
      const response = await fetch(props.hrefs[format], { signal: controller.signal });
      if (!response.ok || !response.body) {
        const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
        throw new Error(body?.error?.message ?? `The export failed (HTTP ${response.status}).`);
      }
      const count = rowCounter(format === "csv");
      const parts: BlobPart[] = [];
      let rows = format === "csv" ? -1 : 0; // the CSV's header row
      for (const reader = response.body.getReader(); ;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        rows += count(value);
        setProgress({ state: "running", format, rows: Math.max(rows, 0) });
      }
      const url = URL.createObjectURL(new Blob(parts, { type: response.headers.get("content-type") ?? "" }));
      const anchor = Object.assign(document.createElement("a"), { href: url, download: fileNameOf(response, format) });
      anchor.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setProgress({ state: "done", format, rows: Math.max(rows, 0) });
    } catch (error) {
      if (controller.signal.aborted) setProgress({ state: "idle" });
      else setProgress({ state: "failed", message: error instanceof Error ? error.message : String(error) });
    }
  }

  const exportLink = (format: "csv" | "jsonl", label: string) => (
    <a
      href={props.hrefs[format]}
      download
      className={link}
      onClick={(event) => {
        event.preventDefault();
        void download(format);
      }}
    >
      {label}
    </a>
  );

  return (
    <div className="text-sm">
      <p>
        {exportLink("csv", "Export CSV")}
        {" · "}
        {exportLink("jsonl", "Export JSON Lines")}
      </p>
      <div role="status" className="mt-1">
        {progress.state === "running" ? (
          <p className="flex flex-wrap items-center gap-3">
            {/* Without a known total the bar only says that it is working. */}
            <progress
              aria-label="Export progress"
              {...(props.isExact ? { max: Math.max(props.expected, 1), value: progress.rows } : {})}
            />
            <span>
              Exporting {progress.format.toUpperCase()}: {COUNT.format(progress.rows)} of {of} events
            </span>
            <button type="button" className={link} onClick={() => abort.current?.abort()}>
              Stop
            </button>
          </p>
        ) : progress.state === "done" ? (
          <p>
            Exported {COUNT.format(progress.rows)} events as {progress.format.toUpperCase()}.
          </p>
        ) : progress.state === "failed" ? (
          <p className="text-red-800">{progress.message}</p>
        ) : null}
      </div>
    </div>
  );
}
