/** A self-contained HTML report page: a title, notes, tables and inline SVG figures. */

export type Cell = string | number;

/** One section of `htmlReport`: a heading, then text, SVG pictures and a table. @example { heading: "Results", table: { columns: ["lr", "acc"], rows: [[0.001, 0.97]] } } */
export interface ReportSection {
  heading: string;
  /** Paragraph text (escaped). */
  text?: string;
  /** Inline SVG markup (trusted: produced by lineChart and friends). */
  svg?: string[];
  table?: { columns: string[]; rows: Cell[][] };
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Renders rows as an HTML table. */
export function htmlTable(columns: string[], rows: Cell[][]): string {
  const head = columns.map((c) => `<th>${esc(c)}</th>`).join("");
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(String(c))}</td>`).join("")}</tr>`).join("\n");
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** Renders rows as a fixed-width text table (for the terminal and README). */
export function textTable(columns: string[], rows: Cell[][]): string {
  const cells = [columns, ...rows.map((r) => r.map(String))];
  const widths = columns.map((_, j) => Math.max(...cells.map((r) => r[j].length)));
  const line = (r: string[]) => "| " + r.map((c, j) => c.padEnd(widths[j])).join(" | ") + " |";
  return [line(cells[0]), "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|", ...cells.slice(1).map(line)].join("\n");
}

/**
 * A complete HTML document with inline CSS and SVG: opens in any browser, no network needed.
 * @example fs.writeFileSync("report.html", htmlReport("Lion vs AdamW", [{ heading: "Curves", svg: [chart] }]));
 */
export function htmlReport(title: string, sections: ReportSection[]): string {
  const css = `body{font-family:Helvetica,Arial,sans-serif;max-width:1180px;margin:24px auto;color:#111827}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}table{border-collapse:collapse;font-size:13px}
td,th{border:1px solid #d1d5db;padding:4px 10px;text-align:right}th{background:#f3f4f6}
.figs{display:flex;flex-wrap:wrap;gap:12px}p{font-size:14px;line-height:1.45}`;
  const body = sections.map((s) => {
    const parts = [`<h2>${esc(s.heading)}</h2>`];
    if (s.text) parts.push(`<p>${esc(s.text)}</p>`);
    if (s.svg) parts.push(`<div class="figs">${s.svg.join("\n")}</div>`);
    if (s.table) parts.push(htmlTable(s.table.columns, s.table.rows));
    return parts.join("\n");
  });
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${css}</style></head>\n<body><h1>${esc(title)}</h1>\n${body.join("\n")}\n</body></html>\n`;
}
