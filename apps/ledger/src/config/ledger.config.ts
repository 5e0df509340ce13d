import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CalendarFileError, isOpaqueId, OPAQUE_ID_PATTERN, parseCalendarYears, type CalendarYear } from '@ledger/domain';

export const ROLES = ['service', 'auditor', 'regulator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Roles that may see personal-data values in plaintext; every other role sees that a value exists. */
export const PERSONAL_DATA_ROLES: readonly Role[] = ['service'];

export interface ApiKey {
  readonly name: string;
  readonly role: Role;
  readonly secret: string;
}

/** What this process runs (LEDGER_ROLES): the HTTP API, the read-model projector. */
export const PROCESS_ROLES = ['api', 'projector', 'scheduler', 'publisher'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

/** Everything the service reads from its environment; see the README's configuration table. */
export interface LedgerConfig {
  /** read models on PostgreSQL when set (DATABASE_URL), else a SQLite file in dataDir */
  readonly databaseUrl: string | undefined;
  readonly processRoles: ReadonlySet<ProcessRole>;
  /**
   * The projector runs in a worker thread of its own (LEDGER_PROJECTOR_THREAD, default on),
   * so that projecting never holds up the event loop that serves the API.
   */
  readonly projectorThread: boolean;
  /** longest a read waits for the read models to reach a requested position */
  readonly readWaitMs: number;
  /** CSV exports one process streams at once, each holding a read-model snapshot (LEDGER_EXPORTS_MAX) */
  readonly exportsMax: number;
  /** how often to look for a rebuilt read-model generation (0: never) */
  readonly generationPollMs: number;
  /** how often the erasure scheduler wakes (it also runs once at start-up) */
  readonly schedulerIntervalMs: number;
  /** internal systems that must confirm every erasure (LEDGER_ERASURE_SYSTEMS) */
  readonly erasureSystems: readonly string[];
  /** Kafka publishing; off (null) unless KAFKA_BROKERS is set */
  readonly kafka: { readonly brokers: readonly string[]; readonly topicPrefix: string; readonly partitions: number; readonly replicationFactor: number; readonly producerThreads: number } | null;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly apiKeys: readonly ApiKey[];
  /** where the embedded default wrote generated API keys, if it did */
  readonly apiKeysFile: string | null;
  readonly kek: string | undefined;
  /** retired key-encryption keys still trusted for unwrapping during a rotation (LEDGER_KEK_PREVIOUS) */
  readonly kekPrevious: readonly Buffer[];
  readonly pseudonymSecret: string | undefined;
  readonly calendarOverrides: readonly CalendarYear[];
  readonly bodyLimitBytes: number;
  /** longest a client may take to send one whole request, headers and body */
  readonly requestTimeoutMs: number;
  /** how long a shutdown signal leaves the instance serving, unready, before it closes */
  readonly shutdownGraceMs: number;
  readonly logLevel: string;
}

export const LEDGER_CONFIG = Symbol('LedgerConfig');

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer in [${min}, ${max}]`);
  return n;
}

/**
 * LEDGER_API_KEYS: comma-separated `name:role:secret`, checked by `checkApiKeys`.
 */
export function parseApiKeys(raw: string): ApiKey[] {
  const keys = raw.split(',').map((s) => s.trim()).filter(Boolean).map((entry) => {
    const [name = '', role = '', ...rest] = entry.split(':');
    return { name, role: role as Role, secret: rest.join(':') };
  });
  return checkApiKeys(keys, 'LEDGER_API_KEYS');
}

/**
 * Every API key, configured or generated, before the service takes it. Refused, as a
 * configuration error that names the entry by its number (and its name once the name is
 * known to be an opaque id) but never echoes a secret:
 * - a name that is not an opaque id (`[A-Za-z0-9_-]{1,64}`, no long digit run): the name
 *   becomes the `actor` of every event the key writes, and the event store is immutable,
 *   so an email or phone number there could never be erased (§2.10, §4.1);
 * - a role outside service/auditor/regulator/admin;
 * - a secret of fewer than 24 characters, or with whitespace or control characters (it
 *   could not be sent as `Authorization: Bearer <secret>`);
 * - one secret given to two entries: a request would carry whichever role was listed last;
 * - one name with two roles: the history would attribute two kinds of act to one caller.
 * One name with the same role and two secrets is allowed: that is how a caller's secret is
 * rotated (add the new one, move the caller over, remove the old one).
 */
export function checkApiKeys(keys: readonly ApiKey[], source: string): ApiKey[] {
  const bySecret = new Map<string, number>();
  const roleOf = new Map<string, Role>();
  return keys.map((key, i) => {
    const entry = `entry ${i + 1}`;
    if (!isOpaqueId(key.name)) throw new ConfigError(`${source}: the name of ${entry} must be an opaque id (${OPAQUE_ID_PATTERN.source}, no long digit run)`);
    const named = `${entry} ("${key.name}")`;
    if (!ROLES.includes(key.role)) throw new ConfigError(`${source}: ${named} has no known role (known: ${ROLES.join(', ')})`);
    if (typeof key.secret !== 'string' || key.secret.length < 24) throw new ConfigError(`${source}: the secret of ${named} is shorter than 24 characters`);
    if (!/^[\x21-\x7e]+$/.test(key.secret)) throw new ConfigError(`${source}: the secret of ${named} has characters other than printable ASCII without spaces`);
    const twin = bySecret.get(key.secret);
    if (twin !== undefined) throw new ConfigError(`${source}: ${named} has the same secret as entry ${twin + 1}; every key needs a secret of its own`);
    bySecret.set(key.secret, i);
    const role = roleOf.get(key.name);
    if (role !== undefined && role !== key.role) throw new ConfigError(`${source}: the name "${key.name}" is given the roles ${role} and ${key.role}; one name, one role`);
    roleOf.set(key.name, key.role);
    return { name: key.name, role: key.role, secret: key.secret };
  });
}

/** LEDGER_ERASURE_SYSTEMS: comma-separated slugs of internal systems holding personal data. */
export function parseSystems(raw: string): string[] {
  const systems = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of systems) {
    if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(s)) throw new ConfigError('LEDGER_ERASURE_SYSTEMS: each system is a lower-case slug');
  }
  return [...new Set(systems)];
}

/**
 * LEDGER_KEK_PREVIOUS: comma-separated base64 keys of 32 bytes, each a key-encryption key
 * that wrapped data keys before LEDGER_KEK; set only while `ledger-cli rotate-kek` runs.
 */
export function parsePreviousKeks(raw: string): Buffer[] {
  return raw.split(',').map((s) => s.trim()).filter(Boolean).map((entry, i) => {
    if (!isKey(entry)) throw new ConfigError(`LEDGER_KEK_PREVIOUS: entry ${i + 1} is not a base64 key of 32 bytes`);
    return Buffer.from(entry, 'base64');
  });
}

const isKey = (text: string) => {
  const key = Buffer.from(text, 'base64');
  return key.length === 32 && key.toString('base64') === text;
};

/** LEDGER_KEK, LEDGER_PSEUDONYM_SECRET: a base64 key of 32 bytes, checked at start like every setting. */
function secretKey(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (!isKey(raw)) throw new ConfigError(`${name} must be a base64 key of 32 bytes (e.g. openssl rand -base64 32)`);
  return raw;
}

/** The embedded default: one generated key per role, in the data directory, owner-only. */
function embeddedApiKeys(dataDir: string): { keys: ApiKey[]; file: string } {
  const file = join(dataDir, 'api-keys.json');
  if (!existsSync(file)) {
    const generated = Object.fromEntries(ROLES.map((r) => [r, randomBytes(24).toString('base64url')]));
    writeFileSync(file, JSON.stringify(generated, null, 2), { mode: 0o600, flag: 'wx' });
  }
  let stored: Partial<Record<Role, string>>;
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<Record<Role, string>>;
  } catch {
    throw new ConfigError(`${file}: cannot read it as JSON; delete it to have new keys generated, or set LEDGER_API_KEYS`);
  }
  return { keys: checkApiKeys(ROLES.map((role) => ({ name: `local-${role}`, role, secret: stored?.[role] as string })), file), file };
}

/** LEDGER_DATA_DIR as an absolute path (default ./data). */
export const dataDirOf = (env: NodeJS.ProcessEnv = process.env): string => resolve(env.LEDGER_DATA_DIR ?? 'data');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LedgerConfig {
  const dataDir = dataDirOf(env);
  mkdirSync(dataDir, { recursive: true });
  const configured = env.LEDGER_API_KEYS ? parseApiKeys(env.LEDGER_API_KEYS) : null;
  const embedded = configured ? null : embeddedApiKeys(dataDir);
  const calendarOverrides = env.LEDGER_CALENDAR_FILE ? readCalendarFile(env.LEDGER_CALENDAR_FILE) : [];
  const processRoles = (env.LEDGER_ROLES ?? (env.KAFKA_BROKERS ? 'api,projector,scheduler,publisher' : 'api,projector,scheduler')).split(',').map((r) => r.trim()).filter(Boolean);
  for (const r of processRoles) {
    if (!PROCESS_ROLES.includes(r as ProcessRole)) throw new ConfigError(`LEDGER_ROLES: unknown role "${r}" (known: ${PROCESS_ROLES.join(', ')})`);
  }
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    processRoles: new Set(processRoles as ProcessRole[]),
    projectorThread: onOff(env, 'LEDGER_PROJECTOR_THREAD', true),
    readWaitMs: int(env, 'LEDGER_READ_WAIT_MS', 2000, 0, 30_000),
    exportsMax: int(env, 'LEDGER_EXPORTS_MAX', 4, 1, 64),
    generationPollMs: int(env, 'LEDGER_GENERATION_POLL_MS', 1000, 0, 600_000),
    schedulerIntervalMs: int(env, 'LEDGER_SCHEDULER_INTERVAL_MS', 60_000, 0, 86_400_000),
    erasureSystems: parseSystems(env.LEDGER_ERASURE_SYSTEMS ?? ''),
    kafka: env.KAFKA_BROKERS
      ? {
        brokers: env.KAFKA_BROKERS.split(',').map((b) => b.trim()).filter(Boolean),
        topicPrefix: env.LEDGER_KAFKA_TOPIC_PREFIX ?? 'ledger',
        partitions: int(env, 'LEDGER_KAFKA_PARTITIONS', 6, 1, 1000),
        replicationFactor: int(env, 'LEDGER_KAFKA_REPLICATION_FACTOR', 1, 1, 10),
        producerThreads: int(env, 'LEDGER_KAFKA_PRODUCER_THREADS', 2, 1, 16),
      }
      : null,
    host: env.HOST ?? '127.0.0.1',
    port: int(env, 'PORT', 3000, 0, 65535),
    dataDir,
    apiKeys: configured ?? embedded!.keys,
    apiKeysFile: embedded?.file ?? null,
    kek: secretKey(env, 'LEDGER_KEK'),
    kekPrevious: parsePreviousKeks(env.LEDGER_KEK_PREVIOUS ?? ''),
    pseudonymSecret: secretKey(env, 'LEDGER_PSEUDONYM_SECRET'),
    calendarOverrides,
    bodyLimitBytes: int(env, 'LEDGER_BODY_LIMIT_BYTES', 16 * 1024, 1024, 1024 * 1024),
    requestTimeoutMs: int(env, 'LEDGER_REQUEST_TIMEOUT_MS', 30_000, 100, 600_000),
    shutdownGraceMs: int(env, 'LEDGER_SHUTDOWN_GRACE_MS', 0, 0, 120_000),
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}

/** A switch: `on` or `off` (nothing else, so that a typo does not pass for either). */
function onOff(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'on' || raw === 'off') return raw === 'on';
  throw new ConfigError(`${name} must be on or off`);
}

/** LEDGER_CALENDAR_FILE, checked field by field: a bad date would shift §2.10 deadlines in silence. */
function readCalendarFile(file: string): CalendarYear[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`LEDGER_CALENDAR_FILE: cannot read ${file} as JSON (${(error as Error).message})`);
  }
  try {
    return parseCalendarYears(json);
  } catch (error) {
    if (error instanceof CalendarFileError) throw new ConfigError(`LEDGER_CALENDAR_FILE: ${error.message}`);
    throw error;
  }
}
