import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve, isAbsolute } from 'node:path';
import { loadYaml } from '../parse/yaml';
import { ConfigError, normalizeConfig, type Config } from '../engine/config';

export const CONFIG_NAMES = ['archlint.config.yaml', 'archlint.config.yml', 'archlint.config.json'];

/** Find a config file upward from `start`. */
export function findConfigFile(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    for (const n of CONFIG_NAMES) {
      const p = join(dir, n);
      if (existsSync(p)) return p;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Read and validate a config file; relative paths in it are resolved against its folder. Throws ConfigError. */
export function readConfigFile(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = path.endsWith('.json') ? JSON.parse(text) : loadYaml(text);
  } catch (e) {
    throw new ConfigError(
      `${path}: invalid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`,
    );
  }
  let config: Config;
  try {
    config = normalizeConfig(raw);
  } catch (e) {
    throw new ConfigError(`${path}: ${(e as Error).message}`);
  }
  const base = dirname(path);
  const abs = (p: string) => (isAbsolute(p) ? p : join(base, p));
  if (config.baseline) config.baseline = abs(config.baseline);
  config.plugins = config.plugins.map((p) => (p.startsWith('.') || isAbsolute(p) ? abs(p) : p));
  return config;
}
