import type { ComponentChildren } from "preact";

/** A column heading; `hidden` ones (an actions column) are read out but not shown. */
export type Column = string | { hidden: string };

/** A scrolling table with its column headings; the rows are the children (a `tbody` and anything after). */
export function Table({
  columns,
  class: className,
  children,
}: {
  columns: readonly Column[];
  class?: string;
  children: ComponentChildren;
}) {
  return (
    <div class="table-wrap">
      <table class={className}>
        <thead>
          <tr>
            {columns.map((column) =>
              typeof column === "string" ? (
                <th scope="col" key={column}>
                  {column}
                </th>
              ) : (
                <th scope="col" key={column.hidden}>
                  <span class="visually-hidden">{column.hidden}</span>
                </th>
              ),
            )}
          </tr>
        </thead>
        {children}
      </table>
    </div>
  );
}
