import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KZ_CALENDAR } from '@ledger/domain';
import { ConfigError, loadConfig } from './ledger.config';

describe('configuration: LEDGER_CALENDAR_FILE', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ledger-config-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const load = (content: string | null) => {
    const file = join(dir, 'calendar.json');
    if (content !== null) writeFileSync(file, content);
    return () => loadConfig({ LEDGER_DATA_DIR: join(dir, 'data'), LEDGER_CALENDAR_FILE: file });
  };

  it('loads a valid file as calendar overrides', () => {
    const year = KZ_CALENDAR.find((y) => y.year === 2027)!;
    expect(load(JSON.stringify([year]))().calendarOverrides).toEqual([year]);
  });

  it('stops the service at start (a configuration error) on a file it cannot use, naming the field', () => {
    const bad = [{ ...KZ_CALENDAR.find((y) => y.year === 2027)!, holidays: [{ date: '2027-02-30', name: 'x', source: 'y' }] }];
    expect(load(JSON.stringify(bad))).toThrow(ConfigError);
    expect(load(JSON.stringify(bad))).toThrow('LEDGER_CALENDAR_FILE: calendar[0].holidays[0].date: not a calendar date YYYY-MM-DD');
    expect(load('{ not json')).toThrow(/LEDGER_CALENDAR_FILE: cannot read .* as JSON/);
    expect(load(null)).toThrow(ConfigError);
  });
});
