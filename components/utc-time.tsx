/**
 * Kept for branches that still import it: times now show in the viewer's zone with UTC on hover
 * (components/local-time.tsx). Import LocalTime in new code.
 */
export { LocalTime as UtcTime } from "./local-time";
