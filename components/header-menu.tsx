"use client";
import { usePathname } from "next/navigation";
import { useEffect, useId, useRef, useState, type ReactNode } from "react";

/**
 * The header's navigation and account controls: in line on a wide screen; on a phone behind a
 * "Menu" disclosure button (it would otherwise clip Sign out). Escape closes the menu and gives
 * focus back to the button; following a link closes it.
 */
export function HeaderMenu({ children, pending = 0 }: { children: ReactNode; pending?: number }) {
  // The page it was opened on: the menu shuts once a link leads elsewhere.
  const pathname = usePathname();
  const [openOn, setOpenOn] = useState<string | null>(null);
  const isOpen = openOn === pathname;
  const panelId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!isOpen) return;
    function onKeyDown(event: KeyboardEvent) {
      if (event.key !== "Escape") return;
      setOpenOn(null);
      buttonRef.current?.focus();
    }
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [isOpen]);

  return (
    <>
      <button
        ref={buttonRef}
        type="button"
        aria-expanded={isOpen}
        aria-controls={panelId}
        onClick={() => setOpenOn(isOpen ? null : pathname)}
        className="ml-auto inline-flex items-center rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 md:hidden"
      >
        {/* Closed, the menu hides the Approvals badge: the button carries the count instead. */}
        <span aria-hidden={pending > 0 ? "true" : undefined}>Menu</span>
        {pending > 0 ? (
          <>
            <span
              aria-hidden="true"
              data-testid="menu-pending"
              className="ml-2 min-w-6 rounded-full bg-rose-700 px-1.5 py-0.5 text-center text-xs font-semibold text-white"
            >
              {pending > 99 ? "99+" : pending}
            </span>
            <span className="sr-only">Menu, {pending} pending approvals</span>
          </>
        ) : null}
      </button>
      <div
        id={panelId}
        className={`${isOpen ? "flex" : "hidden"} w-full min-w-0 flex-col gap-3 md:flex md:w-auto md:flex-1 md:flex-row md:flex-wrap md:items-center md:gap-6`}
      >
        {children}
      </div>
    </>
  );
}
