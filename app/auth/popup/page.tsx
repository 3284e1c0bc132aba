import type { Metadata } from "next";
import { PopupBridge } from "./popup-bridge";

export const metadata: Metadata = { title: "Signing in", robots: { index: false } };

/**
 * Where Entra ID sends the step-up popup back to (registered in the app registration as a
 * "Single-page application" redirect URI). It hands the answer to the request page that opened it
 * and closes; it shows nothing else and needs no session.
 */
export default function PopupPage() {
  return (
    <main className="p-6 text-sm text-slate-700">
      <h1 className="sr-only">Signing in</h1>
      <PopupBridge />
    </main>
  );
}
