// A tiny table renderer: left-aligned columns sized to their widest cell, ANSI colours not counted.
// ANSI colour codes start with ESC
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

export function visibleLength(text: string): number {
  return [...text.replace(ANSI, '')].length;
}

export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  paintHeader: (s: string) => string = (s) => s,
): string[] {
  const widths = headers.map((h, i) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const line = (cells: readonly string[], paint: (s: string) => string = (s) => s) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? paint(c) : paint(c) + ' '.repeat(widths[i]! - visibleLength(c))))
      .join('  ')
      .trimEnd();
  return [line(headers, paintHeader), ...rows.map((r) => line(r))];
}
