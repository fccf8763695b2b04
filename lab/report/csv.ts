/** summary.csv: one line per (batch size, optimizer, configuration), chosen ones with their test results. */
import { canonical } from "../grid";
import type { BatchAnalysis } from "./analysis";

function cell(v: unknown): string {
  const s = typeof v === "number" ? (Number.isFinite(v) ? String(v) : "") : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The CSV text (RFC 4180 quoting; empty cells where a value does not exist).
 * @example fs.writeFileSync("summary.csv", summaryCsv(analyse(study, rows)));
 */
export function summaryCsv(batches: BatchAnalysis[]): string {
  const head = [
    "batch_size",
    "optimizer",
    "config",
    "lr",
    "weight_decay",
    "seeds",
    "val_acc_mean",
    "val_acc_ci95",
    "diverged_runs",
    "chosen",
    "test_acc_mean",
    "test_acc_ci95_lo",
    "test_acc_ci95_hi",
    "test_loss_mean",
    "test_loss_ci95",
    "steps_per_second",
    "state_bytes",
  ];
  const lines = [head.join(",")];
  for (const b of batches)
    for (const [optimizer, grid] of Object.entries(b.grids))
      for (const g of grid) {
        const c = g.chosen ? b.chosen[optimizer] : undefined;
        const sps = g.runs.reduce((s, r) => s + r.stepsPerSecond, 0) / g.runs.length;
        lines.push(
          [
            b.batchSize,
            optimizer,
            canonical(g.config),
            g.lr,
            g.wd,
            g.val.n,
            g.val.mean,
            g.val.half,
            g.diverged,
            g.chosen ? "yes" : "no",
            c?.testAccuracy.mean ?? "",
            c?.testAccuracy.lo ?? "",
            c?.testAccuracy.hi ?? "",
            c?.testLoss.mean ?? "",
            c?.testLoss.half ?? "",
            sps,
            g.runs[0].stateBytes,
          ]
            .map(cell)
            .join(","),
        );
      }
  return lines.join("\n") + "\n";
}
