/**
 * `npm run bench`: every benchmark, each printing ratios measured side by side in one run.
 *   npm run build && npm run bench
 */
import { runCdkBench } from './cdk';

runCdkBench(Number(process.env.BENCH_RUNS) || 15);
