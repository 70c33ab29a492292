/** A plain-text table as the benchmark prints them: a header, a rule, the rows; columns left- or right-aligned. */
export function textTable(head: readonly string[], rows: readonly (readonly string[])[], isLeft: (column: number) => boolean): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (isLeft(i) ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}
