import type { ReactNode } from "react";

export function CenteredCard({ children }: { children: ReactNode }) {
  return (
    <main id="main" className="mx-auto mt-16 max-w-lg rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
      <p className="mb-4 text-lg font-semibold text-brand-900">AKS JIT</p>
      {children}
    </main>
  );
}
