import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KZ_CALENDAR } from '@ledger/domain';
import { randomBytes } from 'node:crypto';
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

describe('configuration: keys', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ledger-config-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const load = (env: NodeJS.ProcessEnv) => () => loadConfig({ LEDGER_DATA_DIR: join(dir, 'data'), ...env });
  const key = () => randomBytes(32).toString('base64');

  it('takes base64 keys of 32 bytes for LEDGER_KEK, LEDGER_PSEUDONYM_SECRET and each of LEDGER_KEK_PREVIOUS', () => {
    const [kek, pseudonym, a, b] = [key(), key(), key(), key()];
    const config = load({ LEDGER_KEK: kek, LEDGER_PSEUDONYM_SECRET: pseudonym, LEDGER_KEK_PREVIOUS: ` ${a}, ${b} ` })();
    expect([config.kek, config.pseudonymSecret]).toEqual([kek, pseudonym]);
    expect(config.kekPrevious.map((k) => k.toString('base64'))).toEqual([a, b]);
    expect(load({})()).toMatchObject({ kek: undefined, pseudonymSecret: undefined, kekPrevious: [] });
  });

  it('refuses, as a configuration error naming the setting and never the value, a key of another length or not base64', () => {
    const short = randomBytes(16).toString('base64');
    const long = randomBytes(33).toString('base64');
    const notBase64 = `${key().slice(0, 43)}!`;
    for (const name of ['LEDGER_KEK', 'LEDGER_PSEUDONYM_SECRET']) {
      for (const bad of [short, long, notBase64, 'c2hvcnQ=']) {
        expect(load({ [name]: bad })).toThrow(new ConfigError(`${name} must be a base64 key of 32 bytes (e.g. openssl rand -base64 32)`));
      }
    }
    expect(load({ LEDGER_KEK_PREVIOUS: `${key()},${short}` })).toThrow(new ConfigError('LEDGER_KEK_PREVIOUS: entry 2 is not a base64 key of 32 bytes'));
  });
});
