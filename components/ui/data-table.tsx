import type { ReactNode } from "react";
import { ScrollRegion } from "@/components/scroll-region";

/** A cell of a data table. */
export const TD = "px-3 py-2 align-top";

/** A column's heading; a numeric column's heading sits right, over its figures. */
export type Column = string | { name: string; isNumeric: boolean };

/**
 * A table in a named scroll box (it scrolls sideways on a narrow screen): a caption for screen
 * readers, which names the table, one header row, and the rows as children. The box is named by
 * `label`, or by the caption.
 */
export function DataTable({
  caption,
  label = caption,
  columns,
  className = "",
  children,
}: {
  caption: string;
  label?: string;
  columns: Column[];
  /** more classes for the box, such as a margin */
  className?: string;
  children: ReactNode;
}) {
  return (
    <ScrollRegion label={label} className={`rounded-lg border border-slate-200 bg-white ${className}`.trim()}>
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-100 text-slate-700">
          <tr>
            {columns.map((column) => {
              const { name, isNumeric } = typeof column === "string" ? { name: column, isNumeric: false } : column;
              return (
                <th key={name} scope="col" className={`px-3 py-2 font-medium${isNumeric ? " text-right" : ""}`}>
                  {name}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </ScrollRegion>
  );
}
