import type { Metadata } from "next";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "AKS JIT", template: "%s · AKS JIT" },
  description: "Just-in-time, approved, time-bound access to AKS clusters and nodes.",
  icons: { icon: "/aks-jit.svg" },
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 font-sans text-slate-900 antialiased">{children}</body>
    </html>
  );
}
