import type { Formatter } from './types';
import { stylish } from './stylish';
import { json } from './json';
import { sarif } from './sarif';
import { junit } from './junit';
import { github } from './github';
import { markdown } from './markdown';

export const FORMATTERS: Readonly<Record<string, Formatter>> = { stylish, json, sarif, junit, github, markdown };
export type FormatName = 'stylish' | 'json' | 'sarif' | 'junit' | 'github' | 'markdown';
export type { Formatter, FormatContext } from './types';
