#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { main } from '../src/cli/main';

main(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  readStdin: () => readFileSync(0, 'utf8'),
  isTTY: !!process.stdout.isTTY,
  stderrTTY: !!process.stderr.isTTY,
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`archlint: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 2;
  },
);
