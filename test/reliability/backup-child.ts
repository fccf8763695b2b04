/**
 * Child for backup-kill.test.ts: `backup-child.ts CONFIG BACKUP_DIR OUT_FILE` runs the shared
 * fit (backup-setup.ts) with BackupAndRestore in BACKUP_DIR, printing "batch" lines as it goes
 * (so the parent knows training is under way), then writes the final weights and history to
 * OUT_FILE and exits 0. Killed, it is simply started again with the same arguments.
 */
import { writeFileAtomic } from "../../nn/atomic-write";
import { saveWeightsBytes } from "../../nn/safetensors";
import { CONFIGS, ConfigName, run } from "./backup-setup";

const [config, dir, out] = process.argv.slice(2);
if (!(config in CONFIGS)) throw new Error(`backup-child: unknown config ${config}`);
let batches = 0;
const { model, history } = run(config as ConfigName, dir, [{ onBatchEnd: () => void process.stdout.write(`batch ${++batches}\n`) }]);
const weights = Buffer.from(saveWeightsBytes(model)).toString("base64");
writeFileAtomic(out, JSON.stringify({ weights, history: history.history, epoch: history.epoch }));
