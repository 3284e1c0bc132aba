import type { ReactNode } from "react";

/**
 * A box that scrolls sideways when its table or chart is wider than the screen (a phone, long
 * values). Keyboard users scroll it with the arrow keys once it has focus, so it takes focus
 * (tabIndex 0) and is a named region that a screen reader announces on arrival: WCAG 2.1.1 and
 * axe's `scrollable-region-focusable`. Name it after what it holds, with `label` or `labelledBy`.
 */
export function ScrollRegion({
  children,
  className = "",
  ...name
}: { children: ReactNode; className?: string } & ({ label: string } | { labelledBy: string })) {
  return (
    <div
      role="region"
      tabIndex={0}
      aria-label={"label" in name ? name.label : undefined}
      aria-labelledby={"labelledBy" in name ? name.labelledBy : undefined}
      className={`overflow-x-auto ${className}`}
    >
      {children}
    </div>
  );
}
