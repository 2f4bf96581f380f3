/**
 * Tests that need the built package (spawned CLIs, CDK apps that import `archlint/cdk`) call ensureDist(): it
 * builds dist/ once (`node scripts/gen-index.mjs` then `tsc -p tsconfig.build.json`) when it is missing or older
 * than the sources, under a lock so that parallel test files do not build at the same time.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const DIST = join(ROOT, 'dist');
export const CLI = join(DIST, 'bin', 'archlint.js');
const STAMP = join(DIST, '.build-stamp');
const SOURCE_DIRS = ['src', 'bin', 'rules', 'scripts', 'bench'];
const SOURCE_FILES = ['package.json', 'tsconfig.json', 'tsconfig.build.json'];

function newestSource(): number {
  let newest = 0;
  const visit = (p: string) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const n of readdirSync(p)) visit(join(p, n));
    } else if (/\.(ts|mts|cts|mjs|json)$/.test(p)) newest = Math.max(newest, st.mtimeMs);
  };
  for (const d of SOURCE_DIRS) visit(join(ROOT, d));
  for (const f of SOURCE_FILES) visit(join(ROOT, f));
  return newest;
}

function fresh(): boolean {
  if (!existsSync(STAMP) || !existsSync(CLI) || !existsSync(join(DIST, 'src', 'cdk', 'index.js'))) return false;
  return statSync(STAMP).mtimeMs >= newestSource();
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Build dist/ if it is missing or stale. Returns the dist folder. */
export function ensureDist(): string {
  if (fresh()) return DIST;
  const lock = join(tmpdir(), `archlint-build-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}.lock`);
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than ten minutes was left by a killed run.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 10 * 60_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        /* gone meanwhile */
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the build lock ${lock}`);
      sleep(250);
    }
  }
  try {
    if (!fresh()) {
      const started = Date.now();
      execFileSync(process.execPath, [join(ROOT, 'scripts', 'gen-index.mjs')], { cwd: ROOT, stdio: 'pipe' });
      execFileSync(
        process.execPath,
        [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
        {
          cwd: ROOT,
          stdio: 'pipe',
        },
      );
      mkdirSync(DIST, { recursive: true });
      writeFileSync(STAMP, new Date(started).toISOString() + '\n');
      // The stamp carries the time the build started: a source saved during the build makes dist stale.
      utimesSync(STAMP, new Date(started), new Date(started));
    }
  } catch (e) {
    const err = e as { stdout?: Buffer; stderr?: Buffer; message: string };
    throw new Error(`build failed: ${err.message}\n${err.stdout?.toString() ?? ''}${err.stderr?.toString() ?? ''}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return DIST;
}

/**
 * A temporary folder whose node_modules links `archlint` to this repository and aws-cdk-lib and constructs to
 * the repository's installs, so that `archlint/cdk` resolves the way it does for a user of the package.
 */
export function tempProject(prefix = 'archlint-app-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const nm = join(dir, 'node_modules');
  mkdirSync(nm);
  symlinkSync(ROOT, join(nm, 'archlint'), 'dir');
  for (const dep of ['aws-cdk-lib', 'constructs']) {
    symlinkSync(realpathSync(join(ROOT, 'node_modules', dep)), join(nm, dep), 'dir');
  }
  return dir;
}
