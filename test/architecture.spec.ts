import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Boundaries enforced by a test, not by hope (STYLE): dependencies point inwards.
 * - libs/domain imports nothing outside itself (no Nest, no node:, no adapter);
 * - a lib never imports an app, nor another lib's internals (only `@ledger/<lib>`);
 * - no product code outside the domain reads the wall clock behind the Clock provider.
 */
const root = join(__dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'node_modules' ? [] : sources(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

const importsOf = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]!);

const libs = readdirSync(join(root, 'libs'));

describe('architecture', () => {
  it('keeps libs/domain pure: only relative imports inside the domain', () => {
    const offenders = sources(join(root, 'libs/domain/src'))
      .filter((f) => !f.endsWith('.spec.ts'))
      .flatMap((f) => importsOf(f).filter((i) => !i.startsWith('.')).map((i) => `${relative(root, f)} → ${i}`));
    expect(offenders).toEqual([]);
  });

  it('never lets a lib import an app or reach into another lib', () => {
    const offenders: string[] = [];
    for (const lib of libs) {
      for (const f of sources(join(root, 'libs', lib))) {
        for (const i of importsOf(f)) {
          if (i.includes('apps/')) offenders.push(`${relative(root, f)} → ${i}`);
          if (i.startsWith('.') && libs.some((other) => other !== lib && join(f, '..', i).includes(join('libs', other)))) {
            offenders.push(`${relative(root, f)} → ${i}`);
          }
          if (/^@ledger\/[^/]+\/.+/.test(i)) offenders.push(`${relative(root, f)} → ${i}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('has no Date.now() or new Date() in the domain', () => {
    const offenders = sources(join(root, 'libs/domain/src'))
      .filter((f) => !f.endsWith('.spec.ts'))
      .filter((f) => /Date\.now\(|new Date\(\)|Math\.random\(/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
