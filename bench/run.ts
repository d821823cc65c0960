/**
 * Runs the benchmarks, each in its own process; each compares with Python
 * PyTorch in the same run and prints ratios.
 *
 *   npm run bench              # all
 *   npm run bench -- train     # one (ops, train, data, serialization, distributed, hf, cnn, rnn)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ALL = ['ops', 'train', 'data', 'serialization', 'distributed', 'hf', 'cnn', 'rnn'] as const;
const args = process.argv.slice(2);
const wanted = args.filter((a) => (ALL as readonly string[]).includes(a));
const unknown = args.filter((a) => !a.startsWith('--') && !/^[\d.]+$/.test(a) && !(ALL as readonly string[]).includes(a));
if (unknown.length > 0) {
  console.error(`bench: unknown benchmark '${unknown[0]}'; expected one of: ${ALL.join(', ')}`);
  process.exit(2);
}
const passThrough = args.filter((a) => !(ALL as readonly string[]).includes(a));
let failed = 0;
for (const name of wanted.length > 0 ? wanted : ALL) {
  console.log(`\n== ${name} ==`);
  const script = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...passThrough], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
