import { sql, type ExpressionBuilder, type Kysely, type RawBuilder } from 'kysely';
import { compareDates } from '@ledger/domain';
import type { ReadModelDatabase } from './database';
import type {
  ConsentRow, ErasureRow, PersonalDataRow, PolicyAcceptanceRow, PolicyVersionRow, ReadModelTables, RecipientAgreementRow,
  RecipientRow, SubjectRow, TransferRow,
} from './schema';

/** A page of rows and the cursor of the next page (null at the end). */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/** Opaque keyset cursors: the sort key of the last row, base64url JSON of strings. */
export const encodeCursor = (key: readonly string[]) => Buffer.from(JSON.stringify(key)).toString('base64url');

/** What each slot of a cursor holds: a text column's value, or a global position (bigint). */
export type CursorSlot = 'text' | 'position';
const POSITION = /^(0|[1-9]\d{0,18})$/;
const MAX_POSITION = 9_223_372_036_854_775_807n; // PostgreSQL's bigint

/**
 * The sort key a cursor carries, checked slot by slot before it reaches SQL: a cursor comes
 * back from the client, who may have changed it. PostgreSQL refused what SQLite compared
 * anyway — a position that is no number, or beyond bigint; a text holding NUL — and each
 * was a 500; now each is InvalidCursorError (400 INVALID_CURSOR) on both engines.
 */
export function decodeCursor(cursor: string | undefined, slots: readonly CursorSlot[]): string[] | null {
  if (!cursor) return null;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === slots.length && key.every((k, i) => validSlot(k, slots[i]!))) return key as string[];
  } catch { /* fall through */ }
  throw new InvalidCursorError();
}

function validSlot(value: unknown, slot: CursorSlot): boolean {
  if (typeof value !== 'string') return false;
  if (slot === 'position') return POSITION.test(value) && BigInt(value) <= MAX_POSITION;
  return value.length <= 256 && !value.includes('\u0000');
}
export class InvalidCursorError extends Error {
  constructor() {
    super('the cursor is not one this API issued');
    this.name = 'InvalidCursorError';
  }
}

/** `(a, b) > (x, y)` spelled portably. */
function after<T extends keyof ReadModelTables>(eb: ExpressionBuilder<ReadModelTables, T>, columns: string[], key: string[]) {
  const ref = (c: string) => eb.ref(c as never);
  const ors = columns.map((c, i) =>
    eb.and([...columns.slice(0, i).map((p, j) => eb(ref(p), '=', key[j] as never)), eb(ref(c), '>', key[i] as never)]));
  return eb.or(ors);
}

/**
 * A LIMIT written into the SQL rather than bound: SQLite (3.53, STAT4, as better-sqlite3 12
 * builds it) re-prepares a statement with a bound LIMIT on every run — a page of consents
 * measured ≈30 µs bound and ≈17–22 µs written in. Limits are validated integers, so each
 * query keeps one of a few texts and the statement cache holds them.
 */
function literalLimit(limit: number): RawBuilder<number> {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('a limit is a positive integer');
  return sql.lit(limit);
}

/** A page query's LIMIT: one row more than the page, to learn whether another follows. */
const fetchLimit = (pageSize: number) => literalLimit(pageSize + 1);

function page<T>(rows: T[], limit: number, keyOf: (row: T) => string[]): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(keyOf(items.at(-1)!)) : null };
}

const pos = (p: string | number | bigint) => String(p);

export interface SubjectView {
  readonly subject: SubjectRow;
  readonly consents: ConsentRow[];
  readonly personalData: PersonalDataRow[];
  readonly openErasure: ErasureRow | null;
  readonly acceptances: PolicyAcceptanceRow[];
}

/** §2.10, Law 94-V Art. 8 — past its `validUntil` (a Kazakhstan date) a consent is no basis: `lapsed`. */
export const consentStatusOn = (r: Pick<ConsentRow, 'status' | 'valid_until'>, today: string): ConsentRow['status'] | 'lapsed' =>
  r.status === 'active' && r.valid_until !== null && compareDates(today, r.valid_until) > 0 ? 'lapsed' : r.status;

/**
 * `status` as a reader means it on `today` (a Kazakhstan date): `active` excludes a consent
 * past its `validUntil`, `lapsed` is exactly those (§2.10, Law 94-V Art. 8).
 */
export interface ConsentFilter { subjectId?: string; purpose?: string; status?: string; today?: string; cursor?: string; limit: number }
export interface ErasureFilter { subjectId?: string; reason?: string; status?: 'scheduled' | 'started' | 'shredded' | 'cancelled' | 'completed' | 'overdue'; dueBefore?: string; cursor?: string; limit: number }
export interface TransferFilter {
  subjectId?: string; recipientId?: string; country?: string; crossBorder?: boolean; purpose?: string; category?: string;
  form?: string; from?: string; to?: string; cursor?: string; limit: number;
}
export interface RetentionFilter { endsBefore?: string; cursor?: string; limit: number }
export interface SubjectFilter {
  status?: SubjectRow['status']; agreementState?: SubjectRow['agreement_state']; restricted?: boolean; policyVersion?: string;
  cursor?: string; limit: number;
}

async function subjectView(db: Kysely<ReadModelTables>, subjectId: string): Promise<SubjectView | null> {
  const subject = await db.selectFrom('rm_subjects').selectAll().where('subject_id', '=', subjectId).executeTakeFirst();
  if (!subject) return null;
  const [consents, personalData, acceptances, openErasure] = await Promise.all([
    db.selectFrom('rm_consents').selectAll().where('subject_id', '=', subjectId).orderBy('purpose').execute(),
    db.selectFrom('rm_personal_data').selectAll().where('subject_id', '=', subjectId).orderBy('category').execute(),
    db.selectFrom('rm_policy_acceptances').selectAll().where('subject_id', '=', subjectId).orderBy('accepted_at').execute(),
    subject.open_erasure_id
      ? db.selectFrom('rm_erasures').selectAll().where('erasure_id', '=', subject.open_erasure_id).executeTakeFirst()
      : Promise.resolve(undefined),
  ]);
  return { subject, consents, personalData, acceptances, openErasure: openErasure ?? null };
}

export interface QuerySnapshot {
  readonly queries: ReadModelQueries;
  /** the snapshot itself, for a question `queries` does not ask */
  readonly db: Kysely<ReadModelTables>;
  /** the projector's checkpoint as the snapshot holds it: the rows reflect exactly the events up to it */
  readonly checkpoint: { readonly position: bigint; readonly updatedAt: string | null; readonly eventId: string | null };
  release(): Promise<void>;
}

/** Every question the API asks of the read models; the same SQL on SQLite and PostgreSQL. */
export class ReadModelQueries {
  private readonly source: () => ReadModelDatabase;
  /** set on the queries of a snapshot: every query reads through it */
  private readonly fixed: Kysely<ReadModelTables> | null;

  /** `rm` may be a getter, so queries follow a generation switch. */
  constructor(rm: ReadModelDatabase | (() => ReadModelDatabase), fixed?: Kysely<ReadModelTables>) {
    this.source = typeof rm === 'function' ? rm : () => rm;
    this.fixed = fixed ?? null;
  }

  private get db(): Kysely<ReadModelTables> {
    return this.fixed ?? this.source().db;
  }

  /**
   * The same questions over one consistent snapshot of the current generation, with the
   * checkpoint it stands for: every row reflects exactly the events up to `position`.
   * What a CSV export pages through; `release` it when done.
   */
  async snapshot(projection = 'read-models'): Promise<QuerySnapshot> {
    const rm = this.source();
    const taken = await rm.snapshot();
    try {
      const queries = new ReadModelQueries(rm, taken.db);
      return { queries, db: taken.db, checkpoint: await queries.checkpoint(projection), release: taken.release };
    } catch (error) {
      await taken.release();
      throw error;
    }
  }

  /**
   * One subject's rows, read as one (`consistentRead`): a batch the projector commits
   * meanwhile — an erasure completing, say — is seen in all of them or in none.
   */
  async subject(subjectId: string): Promise<SubjectView | null> {
    return this.asOne((db) => subjectView(db, subjectId));
  }

  /** reads that make one answer, as one (a snapshot's queries already are) */
  private asOne<T>(read: (db: Kysely<ReadModelTables>) => Promise<T>): Promise<T> {
    return this.fixed ? read(this.fixed) : this.source().consistentRead(read);
  }

  async consents(f: ConsentFilter): Promise<Page<ConsentRow>> {
    const key = decodeCursor(f.cursor, ['text', 'text']);
    let q = this.db.selectFrom('rm_consents').selectAll();
    if (f.subjectId) q = q.where('subject_id', '=', f.subjectId);
    if (f.purpose) q = q.where('purpose', '=', f.purpose);
    if (f.status === 'active' || f.status === 'lapsed') {
      if (!f.today) throw new Error('the active and lapsed filters need today\'s date');
      const today = f.today;
      q = q.where('status', '=', 'active');
      q = f.status === 'active'
        ? q.where((eb) => eb.or([eb('valid_until', 'is', null), eb('valid_until', '>=', today)]))
        : q.where('valid_until', '<', today);
    } else if (f.status) q = q.where('status', '=', f.status as ConsentRow['status']);
    if (key) q = q.where((eb) => after(eb, ['subject_id', 'purpose'], key));
    const rows = await q.orderBy('subject_id').orderBy('purpose').limit(fetchLimit(f.limit)).execute();
    return page(rows, f.limit, (r) => [r.subject_id, r.purpose]);
  }

  /** `overdue` is a scheduled erasure whose due date is before `today` (Kazakhstan date). */
  async erasures(f: ErasureFilter, today: string): Promise<Page<ErasureRow>> {
    // `overdue` is a flag over the open stages, not a stage of its own
    const key = decodeCursor(f.cursor, ['text', 'text']);
    let q = this.db.selectFrom('rm_erasures').selectAll();
    if (f.subjectId) q = q.where('subject_id', '=', f.subjectId);
    if (f.reason) q = q.where('reason', '=', f.reason);
    if (f.status === 'overdue') {
      q = q.where((eb) => eb.or([
        eb.and([eb('overdue', '=', 1), eb('status', 'in', ['scheduled', 'started', 'shredded'])]),
        eb.and([eb('status', '=', 'scheduled'), eb('due_on', '<', today)]),
      ]));
    }
    else if (f.status) q = q.where('status', '=', f.status);
    if (f.dueBefore) q = q.where('due_on', '<', f.dueBefore);
    if (key) q = q.where((eb) => after(eb, ['due_on', 'erasure_id'], key));
    const rows = await q.orderBy('due_on').orderBy('erasure_id').limit(fetchLimit(f.limit)).execute();
    return page(rows, f.limit, (r) => [r.due_on, r.erasure_id]);
  }

  async transfers(f: TransferFilter): Promise<Page<TransferRow>> {
    const key = decodeCursor(f.cursor, ['position']);
    let q = this.db.selectFrom('rm_transfers').selectAll();
    if (f.subjectId) q = q.where('subject_id', '=', f.subjectId);
    if (f.recipientId) q = q.where('recipient_id', '=', f.recipientId);
    if (f.country) q = q.where('recipient_country', '=', f.country);
    if (f.crossBorder !== undefined) q = q.where('cross_border', '=', f.crossBorder ? 1 : 0);
    if (f.purpose) q = q.where('purpose', '=', f.purpose);
    if (f.category) q = q.where('categories', 'like', `%${JSON.stringify(f.category)}%`);
    if (f.form) q = q.where('form', '=', f.form);
    if (f.from) q = q.where('transferred_at', '>=', f.from);
    if (f.to) q = q.where('transferred_at', '<', f.to);
    if (key) q = q.where('position', '>', key[0]!);
    const rows = await q.orderBy('position').limit(fetchLimit(f.limit)).execute();
    return page(rows, f.limit, (r) => [pos(r.position)]);
  }

  async retention(f: RetentionFilter): Promise<Page<SubjectRow>> {
    const key = decodeCursor(f.cursor, ['text', 'text']);
    let q = this.db.selectFrom('rm_subjects').selectAll().where('retention_ends_on', 'is not', null);
    if (f.endsBefore) q = q.where('retention_ends_on', '<', f.endsBefore);
    if (key) q = q.where((eb) => after(eb, ['retention_ends_on', 'subject_id'], key));
    const rows = await q.orderBy('retention_ends_on').orderBy('subject_id').limit(fetchLimit(f.limit)).execute();
    return page(rows, f.limit, (r) => [r.retention_ends_on!, r.subject_id]);
  }

  /**
   * The subjects register, in subject order; the few blocked and erased subjects come from
   * partial indexes of their own (migration 004).
   */
  async subjects(f: SubjectFilter): Promise<Page<SubjectRow>> {
    const key = decodeCursor(f.cursor, ['text']);
    let q = this.db.selectFrom('rm_subjects').selectAll();
    if (f.restricted !== undefined) q = q.where('restricted', '=', f.restricted ? 1 : 0);
    if (f.status) q = q.where('status', '=', f.status);
    if (f.agreementState) q = q.where('agreement_state', '=', f.agreementState);
    if (f.policyVersion) q = q.where('policy_version', '=', f.policyVersion);
    if (key) q = q.where('subject_id', '>', key[0]!);
    const rows = await q.orderBy('subject_id').limit(fetchLimit(f.limit)).execute();
    return page(rows, f.limit, (r) => [r.subject_id]);
  }

  policyVersions(): Promise<PolicyVersionRow[]> {
    return this.db.selectFrom('rm_policy_versions').selectAll().orderBy('published_at').orderBy('version').execute();
  }

  async policyAcceptances(version: string, cursor: string | undefined, limit: number): Promise<Page<PolicyAcceptanceRow>> {
    const key = decodeCursor(cursor, ['text']);
    let q = this.db.selectFrom('rm_policy_acceptances').selectAll().where('policy_version', '=', version);
    if (key) q = q.where('subject_id', '>', key[0]!);
    const rows = await q.orderBy('subject_id').limit(fetchLimit(limit)).execute();
    return page(rows, limit, (r) => [r.subject_id]);
  }

  /** Recipients with their agreements (§4.4), read as one: an agreement ended meanwhile shows ended or not at all. */
  async recipients(cursor: string | undefined, limit: number, only?: string): Promise<Page<RecipientRow & { agreements: RecipientAgreementRow[] }>> {
    const key = decodeCursor(cursor, ['text']);
    return this.asOne(async (db) => {
      let q = db.selectFrom('rm_recipients').selectAll();
      if (only) q = q.where('recipient_id', '=', only);
      if (key) q = q.where('recipient_id', '>', key[0]!);
      const rows = await q.orderBy('recipient_id').limit(fetchLimit(limit)).execute();
      const ids = rows.map((r) => r.recipient_id);
      const agreements = ids.length === 0 ? [] : await db.selectFrom('rm_recipient_agreements').selectAll()
        .where('recipient_id', 'in', ids).orderBy('recipient_id').orderBy('signed_on').execute();
      return page(rows.map((r) => ({ ...r, agreements: agreements.filter((a) => a.recipient_id === r.recipient_id) })), limit, (r) => [r.recipient_id]);
    });
  }

  /** Scheduled erasures whose due date is before `today`: time to decide (§2.10). */
  dueErasures(today: string, limit = 500) {
    return this.db.selectFrom('rm_erasures').select(['erasure_id', 'subject_id']).where('status', '=', 'scheduled')
      .where('due_on', '<', today).orderBy('due_on').orderBy('erasure_id').limit(literalLimit(limit)).execute();
  }

  /** Erasures decided but whose key is not recorded as destroyed: the reconciler finishes them. */
  unshreddedErasures(limit = 500) {
    return this.db.selectFrom('rm_erasures').select(['erasure_id', 'subject_id']).where('status', '=', 'started')
      .orderBy('erasure_id').limit(literalLimit(limit)).execute();
  }

  /** How many subjects are erased (their data key destroyed, §2.10); the partial index `rm_subjects_erased` counts them. */
  async erasedSubjectCount(): Promise<number> {
    const row = await this.db.selectFrom('rm_subjects').select((eb) => eb.fn.countAll<string | number>().as('n')).where('status', '=', 'erased').executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Erased subjects in subject order after `after`, with when their key was destroyed. */
  erasedSubjects(after: string, limit = 500) {
    return this.db.selectFrom('rm_subjects').select(['subject_id', 'erased_at']).where('status', '=', 'erased').where('subject_id', '>', after)
      .orderBy('subject_id').limit(literalLimit(limit)).execute();
  }

  /** Open erasures past their due date not yet raised as overdue; the decider applies the grace. */
  lateErasures(today: string, limit = 500) {
    return this.db.selectFrom('rm_erasures').select(['erasure_id', 'subject_id'])
      .where('status', 'in', ['scheduled', 'started', 'shredded']).where('overdue', '=', 0).where('due_on', '<', today)
      .orderBy('due_on').orderBy('erasure_id').limit(literalLimit(limit)).execute();
  }

  /** Subjects whose retention period (§2.6) ended before `today` with nothing scheduled yet. */
  retentionEnded(today: string, limit = 500) {
    return this.db.selectFrom('rm_subjects').select(['subject_id']).where('agreement_state', '=', 'terminated')
      .where('status', '=', 'active').where('open_erasure_id', 'is', null).where('retention_ends_on', '<', today)
      .orderBy('retention_ends_on').orderBy('subject_id').limit(literalLimit(limit)).execute();
  }

  /**
   * Subjects whose every basis has lapsed (§2.10, Law 94-V Art. 8): an active consent past
   * its `validUntil`, none still valid, no erasure open. `today` is a Kazakhstan date.
   */
  basesExpired(today: string, limit = 500) {
    return this.db.selectFrom('rm_consents as c').innerJoin('rm_subjects as s', 's.subject_id', 'c.subject_id')
      .select('c.subject_id').distinct()
      .where('c.valid_until', 'is not', null).where('c.valid_until', '<', today).where('c.status', '=', 'active')
      .where('s.status', '=', 'active').where('s.open_erasure_id', 'is', null)
      .where(({ not, exists, selectFrom }) => not(exists(
        selectFrom('rm_consents as v').select('v.subject_id').whereRef('v.subject_id', '=', 'c.subject_id').where('v.status', '=', 'active')
          .where((v) => v.or([v('v.valid_until', 'is', null), v('v.valid_until', '>=', today)])),
      )))
      .orderBy('c.subject_id').limit(literalLimit(limit)).execute();
  }

  /**
   * Takes or renews the lease `name` for `holder` until `expiresAt`, atomically: an
   * upsert that only overwrites an expired lease or the holder's own. True if held.
   */
  async lease(name: string, holder: string, now: Date, expiresAt: Date): Promise<boolean> {
    await this.db.insertInto('ledger_leases').values({ name, holder, expires_at: expiresAt.toISOString() })
      .onConflict((oc) => oc.column('name').doUpdateSet({ holder, expires_at: expiresAt.toISOString() })
        .where((eb) => eb.or([eb('ledger_leases.expires_at', '<', now.toISOString()), eb('ledger_leases.holder', '=', holder)])))
      .execute();
    const row = await this.db.selectFrom('ledger_leases').select('holder').where('name', '=', name).executeTakeFirst();
    return row?.holder === holder;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.db.deleteFrom('ledger_leases').where('name', '=', name).where('holder', '=', holder).execute();
  }

  /** Erasures per stage, and how many open ones are raised as overdue: for monitoring. */
  async erasureCounts(): Promise<{ byStatus: Record<string, number>; overdue: number }> {
    const rows = await this.db.selectFrom('rm_erasures').select(['status', 'overdue']).select((eb) => eb.fn.countAll<string | number>().as('n'))
      .groupBy(['status', 'overdue']).execute();
    const byStatus: Record<string, number> = {};
    let overdue = 0;
    for (const r of rows) {
      byStatus[r.status] = (byStatus[r.status] ?? 0) + Number(r.n);
      if (r.overdue === 1 && r.status !== 'completed' && r.status !== 'cancelled') overdue += Number(r.n);
    }
    return { byStatus, overdue };
  }

  async checkpoint(projection = 'read-models'): Promise<{ position: bigint; updatedAt: string | null; eventId: string | null }> {
    const row = await this.db.selectFrom('rm_checkpoints').selectAll().where('projection', '=', projection).executeTakeFirst();
    return { position: row ? BigInt(row.position) : 0n, updatedAt: row?.updated_at ?? null, eventId: row?.event_id ?? null };
  }
}
