"use client";
import { useEffect, useId, useState } from "react";

/** One command to type, with a Copy button and visible, announced feedback; `note`: what to know before running it. */
export function CopyCommand({ label, command, note }: { label: string; command: string; note?: string }) {
  const id = useId();
  const [outcome, setOutcome] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (outcome !== "copied") return;
    const timer = setTimeout(() => setOutcome("idle"), 4000);
    return () => clearTimeout(timer);
  }, [outcome]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(command);
      setOutcome("copied");
    } catch {
      setOutcome("failed");
    }
  }

  return (
    <div>
      <p id={`${id}-label`} className="text-sm text-slate-700">
        {label}
      </p>
      {note ? <p className="mt-1 max-w-3xl text-xs text-amber-900">{note}</p> : null}
      <div className="mt-1 flex items-start gap-2">
        <code className="block flex-1 rounded-md bg-slate-900 px-3 py-2 font-mono text-xs leading-5 break-all whitespace-pre-wrap text-slate-50">
          {command}
        </code>
        <button
          type="button"
          onClick={copy}
          aria-describedby={`${id}-label`}
          className="shrink-0 rounded-md border border-slate-400 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100"
        >
          Copy
        </button>
      </div>
      <p role="status" className="mt-1 min-h-5 text-xs font-medium text-emerald-800">
        {outcome === "copied" ? "Copied" : null}
        {outcome === "failed" ? (
          <span className="text-red-700">Could not copy here: select the command and copy it yourself.</span>
        ) : null}
      </p>
    </div>
  );
}

/** The commands that use active access, in order. */
export function CommandList({ commands }: { commands: Array<{ label: string; command: string; note?: string }> }) {
  return (
    <ol className="space-y-2">
      {commands.map((c) => (
        <li key={c.command}>
          <CopyCommand label={c.label} command={c.command} note={c.note} />
        </li>
      ))}
    </ol>
  );
}
