#!/usr/bin/env node
// torch-ts-bert <command> [options]: the BERT course pipeline's command-line tools.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bert', 'cli');
const [cmd, ...args] = process.argv.slice(2);
const known = ['pretrain', 'predict', 'prepare-data', 'finetune'].filter((c) => existsSync(join(cli, `${c}.js`)));
if (cmd === undefined || cmd === '--help' || cmd === '-h' || !known.includes(cmd)) {
  console.error(`usage: torch-ts-bert <${known.join('|')}> [options]   (each takes --help)`);
  process.exit(cmd === undefined || cmd === '--help' || cmd === '-h' ? 0 : 2);
}
process.argv = [process.argv[0], join(cli, `${cmd}.js`), ...args];
await import(pathToFileURL(join(cli, `${cmd}.js`)).href);
