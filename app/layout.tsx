import type { Metadata } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "AKS JIT", template: "%s · AKS JIT" },
  description: "Just-in-time, approved, time-bound access to AKS clusters and nodes.",
  icons: { icon: "/aks-jit.svg" },
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page is rendered per request: Next can put the CSP nonce that proxy.ts made for this
  // request on its scripts only while rendering, so a page prerendered at build time would run none.
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 font-sans text-slate-900 antialiased">{children}</body>
    </html>
  );
}
