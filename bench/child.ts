/**
 * One measured run, in its own process so that peak memory is per run:
 *   node dist/bench/child.js parse <file...>     bare Node + js-yaml parse (the floor)
 *   node dist/bench/child.js archlint <file...>  the archlint CLI in-process (JSON output discarded)
 * Prints {"ms": <wall time including module loading>, "maxRssMb": <peak RSS>}.
 */
const start = performance.now();
import { readFileSync } from 'node:fs';

async function run(): Promise<void> {
  const [mode, ...files] = process.argv.slice(2);
  if (mode === 'parse') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const yaml = require('js-yaml') as typeof import('js-yaml');
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      if (f.endsWith('.json')) JSON.parse(text);
      else {
        try {
          yaml.load(text);
        } catch {
          /* CloudFormation tags are unknown to a bare parse; it still pays the parse up to them */
        }
      }
    }
  } else {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { main } = require('../src/cli/main') as typeof import('../src/cli/main');
    await main([...files, '-f', 'json', '--fail-on', 'none'], {
      cwd: process.cwd(),
      stdout: () => {},
      stderr: () => {},
      readStdin: () => '',
      isTTY: false,
      stderrTTY: false,
      env: {},
    });
  }
  const ms = performance.now() - start;
  process.stdout.write(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

void run();
