"use client";
import { useEffect, useState } from "react";

/** msal-browser 5's redirect bridge: passes the sign-in answer in this popup's URL to the page that opened it. */
export function PopupBridge() {
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    import("@azure/msal-browser/redirect-bridge")
      .then(({ broadcastResponseToMainFrame }) => broadcastResponseToMainFrame())
      .catch((error: unknown) => setFailure(error instanceof Error ? error.message : String(error)));
  }, []);
  return failure ? (
    <p role="alert">The sign-in could not be handed back to AKS JIT ({failure}). Close this window and try again.</p>
  ) : (
    <p>Finishing sign-in… this window closes by itself.</p>
  );
}
