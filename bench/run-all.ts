/**
 * Runs every benchmark and prints markdown ready for docs/benchmarks.md. Each one measures
 * its own baseline in the same run, on the same machine, and prints the ratio.
 */
import { runEventStoreBench } from './event-store-append.bench';
import { runHttpBench } from './http-grant-consent.bench';
import { runLongStreamBench } from './long-stream.bench';
import { runProjectionBench } from './projection-catch-up.bench';
import { runRelayBench } from './relay.bench';

async function main() {
  const started = new Date().toISOString();
  const sections = [await runEventStoreBench(), await runHttpBench(), await runLongStreamBench(), await runProjectionBench(), await runRelayBench()];
  console.log(`## Results of ${started}\n\n${sections.join('\n\n')}`);
}

void main();
