import type { ReactNode } from "react";

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="mb-6">
      <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
      {children ? <div className="mt-2 max-w-3xl text-slate-600">{children}</div> : null}
    </header>
  );
}

/** A page section that says plainly what it will hold before the feature behind it exists. */
export function ComingSoon({ title, items }: { title: string; items: string[] }) {
  return (
    <section aria-labelledby="coming-soon" className="rounded-lg border border-dashed border-slate-300 bg-white p-6">
      <h2 id="coming-soon" className="text-base font-semibold">
        {title}
      </h2>
      <ul className="mt-3 list-disc space-y-1 pl-5 text-sm text-slate-700">
        {items.map((item) => (
          <li key={item}>{item}</li>
        ))}
      </ul>
    </section>
  );
}
