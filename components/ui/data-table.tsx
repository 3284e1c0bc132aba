import { Children, cloneElement, isValidElement, type ReactElement, type ReactNode } from "react";
import { ScrollRegion } from "@/components/scroll-region";

/** A cell of a data table. */
export const TD = "px-3 py-2 align-top";

/** A column's heading; a numeric column's heading sits right, over its figures. */
export type Column = string | { name: string; isNumeric: boolean };

function columnName(column: Column) {
  return typeof column === "string" ? column : column.name;
}

/**
 * On a phone (below `sm`) each row is a card: its cells stack, each under its column's name, so
 * that nothing (Status included) sits off-screen to the right. The name is generated content from
 * the cell's `data-label` (not text in the cell, which would change what the cell says on a wide
 * screen). The table stays a table for assistive technology: explicit roles, because some browsers
 * drop a table's semantics once its display changes.
 */
const CARDS =
  "max-sm:block max-sm:[&>tbody]:block max-sm:[&>thead]:sr-only " +
  "max-sm:[&_tr]:block max-sm:[&_tr]:px-1 max-sm:[&_tr]:py-2 " +
  "max-sm:[&_td]:block max-sm:[&_td]:max-w-none max-sm:[&_td]:py-1 max-sm:[&_td]:break-words max-sm:[&_td]:whitespace-normal " +
  "max-sm:[&_td]:text-left max-sm:[&_td]:before:block max-sm:[&_td]:before:text-xs max-sm:[&_td]:before:font-medium " +
  "max-sm:[&_td]:before:text-slate-600 max-sm:[&_td]:before:content-[attr(data-label)]";

type RowProps = { children?: ReactNode; role?: string; "data-label"?: string };

/** Gives each cell of a row (a `<tr>` written in place, not a component) its column's name, for the card layout. */
function withColumnNames(row: ReactNode, names: string[]): ReactNode {
  if (!isValidElement<RowProps>(row) || row.type !== "tr") return row;
  const cells = Children.toArray(row.props.children).map((cell, i) =>
    isValidElement<RowProps>(cell) && cell.type === "td"
      ? cloneElement(cell as ReactElement<RowProps>, { role: "cell", "data-label": names[i] })
      : cell,
  );
  return cloneElement(row as ReactElement<RowProps>, { role: "row" }, cells);
}

/**
 * A table in a named scroll box (it scrolls sideways on a narrow screen if it must): a caption for
 * screen readers, which names the table, one header row, and the rows as children, each a `<tr>` of
 * `<td>`s written in place (so that the phone's cards can name every cell). The box is named by
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
  const names = columns.map(columnName);
  return (
    <ScrollRegion label={label} className={`rounded-lg border border-slate-200 bg-white ${className}`.trim()}>
      <table role="table" className={`w-full text-left text-sm ${CARDS}`}>
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
        <tbody>{Children.map(children, (row) => withColumnNames(row, names))}</tbody>
      </table>
    </ScrollRegion>
  );
}
