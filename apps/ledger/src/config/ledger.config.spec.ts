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

describe('configuration: API keys (LEDGER_API_KEYS, data/api-keys.json)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ledger-config-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const load = (keys?: string) => () => loadConfig({ LEDGER_DATA_DIR: join(dir, 'data'), ...(keys === undefined ? {} : { LEDGER_API_KEYS: keys }) });
  const secret = (c: string) => c.repeat(24);
  /** the error a configuration is refused with; never one that carries a secret */
  const refusal = (keys: string) => {
    try {
      load(keys)();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      for (const s of keys.split(',').map((e) => e.split(':').slice(2).join(':')).filter((s) => s.length > 3)) expect((error as Error).message).not.toContain(s);
      return (error as Error).message;
    }
    throw new Error(`accepted: ${keys}`);
  };

  it('takes name:role:secret entries, and one name with the same role under two secrets (rotating a secret)', () => {
    const config = load(` crm:service:${secret('a')}, dpo:auditor:${secret('b')},crm:service:${secret('c')}:with:colons `)();
    expect(config.apiKeys).toEqual([
      { name: 'crm', role: 'service', secret: secret('a') },
      { name: 'dpo', role: 'auditor', secret: secret('b') },
      { name: 'crm', role: 'service', secret: `${secret('c')}:with:colons` },
    ]);
  });

  it('refuses one secret given to two keys: a request would carry whichever role was listed last', () => {
    expect(refusal(`crm:service:${secret('a')},ops:admin:${secret('a')}`))
      .toBe('LEDGER_API_KEYS: entry 2 ("ops") has the same secret as entry 1; every key needs a secret of its own');
  });

  it('refuses one name with two roles: the history would attribute two kinds of act to one caller', () => {
    expect(refusal(`crm:service:${secret('a')},crm:admin:${secret('b')}`))
      .toBe('LEDGER_API_KEYS: the name "crm" is given the roles service and admin; one name, one role');
  });

  it('refuses a name that is not an opaque id (it becomes every event\'s actor, and events are never erased), without echoing it', () => {
    for (const name of ['jane.doe@example.kz', '77011234567', '', 'crm service']) {
      const message = refusal(`ok:service:${secret('a')},${name}:service:${secret('b')}`);
      expect(message).toMatch(/^LEDGER_API_KEYS: the name of entry 2 must be an opaque id/);
      if (name) expect(message).not.toContain(name);
    }
  });

  it('refuses an unknown role, a short secret and one that could not travel as a Bearer token', () => {
    expect(refusal(`crm:root:${secret('a')}`)).toBe('LEDGER_API_KEYS: entry 1 ("crm") has no known role (known: service, auditor, regulator, admin)');
    expect(refusal(`crm:service:${'a'.repeat(23)}`)).toBe('LEDGER_API_KEYS: the secret of entry 1 ("crm") is shorter than 24 characters');
    expect(refusal(`crm:service:${secret('a')} ${secret('b')}`)).toMatch(/the secret of entry 1 \("crm"\) has characters other than printable ASCII/);
    expect(refusal(`crm:service:${secret('é')}`)).toMatch(/the secret of entry 1 \("crm"\) has characters other than printable ASCII/);
  });

  it('generates one key per role on the embedded default, keeps them across starts, and refuses a damaged key file', () => {
    const first = load()();
    expect(first.apiKeys.map((k) => [k.name, k.role])).toEqual([['local-service', 'service'], ['local-auditor', 'auditor'], ['local-regulator', 'regulator'], ['local-admin', 'admin']]);
    expect(new Set(first.apiKeys.map((k) => k.secret)).size).toBe(4);
    expect(load()().apiKeys).toEqual(first.apiKeys);
    const file = join(dir, 'data', 'api-keys.json');
    writeFileSync(file, JSON.stringify({ service: secret('a'), auditor: secret('b'), regulator: secret('c') }));
    expect(load()).toThrow(new ConfigError(`${file}: the secret of entry 4 ("local-admin") is shorter than 24 characters`));
    writeFileSync(file, '{ not json');
    expect(load()).toThrow(new ConfigError(`${file}: cannot read it as JSON; delete it to have new keys generated, or set LEDGER_API_KEYS`));
  });
});

describe('configuration: LEDGER_PROJECTOR_THREAD', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ledger-config-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const load = (value?: string) => () => loadConfig({ LEDGER_DATA_DIR: join(dir, 'data'), ...(value === undefined ? {} : { LEDGER_PROJECTOR_THREAD: value }) });

  it('is on by default, and takes on or off', () => {
    expect(load()().projectorThread).toBe(true);
    expect(load('on')().projectorThread).toBe(true);
    expect(load('off')().projectorThread).toBe(false);
  });

  it('refuses anything else, so that a typo passes for neither', () => {
    for (const bad of ['true', '0', 'OFF', 'no', ' on']) expect(load(bad)).toThrow(new ConfigError('LEDGER_PROJECTOR_THREAD must be on or off'));
  });
});
