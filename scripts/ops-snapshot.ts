/**
 * Rewrites scripts/ops-snapshot.json with the reference Python (the one whose
 * libtorch the addon links; see scripts/ops-snapshot.py for what it records).
 *
 *   npm run snapshot && npm run gen
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { referencePython } from './reference-python.js';

const script = fileURLToPath(new URL('./ops-snapshot.py', import.meta.url));
const r = spawnSync(referencePython(), [script], { stdio: 'inherit' });
process.exit(r.status ?? 1);
