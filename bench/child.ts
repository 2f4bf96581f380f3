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
    // The floor: a plain js-yaml load that accepts the CloudFormation tags as pass-through values.
    const tags =
      'Ref Condition Base64 Cidr FindInMap GetAZs ImportValue Join Select Split Sub Transform If Equals And Or Not GetAtt ValueOf ValueOfAll RefAll Contains EachMemberEquals EachMemberIn Length ToJsonString ForEach'.split(
        ' ',
      );
    const kinds = ['scalar', 'sequence', 'mapping'] as const;
    const schema = yaml.CORE_SCHEMA.extend(
      tags.flatMap((t) => kinds.map((kind) => new yaml.Type(`!${t}`, { kind, construct: (d: unknown) => d }))),
    );
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      if (/^\s*[{[]/.test(text)) JSON.parse(text);
      else yaml.load(text, { schema });
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
