import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

/**
 * Versioned migrations, in code so they ship with the build. Never edit a released one:
 * add the next. Kysely's Migrator records them in its own table and runs them in order.
 */
const m001: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('rm_subjects')
      .addColumn('subject_id', 'text', (c) => c.primaryKey())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('agreement_state', 'text', (c) => c.notNull())
      .addColumn('restricted', 'integer', (c) => c.notNull())
      .addColumn('policy_version', 'text')
      .addColumn('policy_accepted_mode', 'text')
      .addColumn('policy_accepted_at', 'text')
      .addColumn('agreement_ended_on', 'text')
      .addColumn('retention_ends_on', 'text')
      .addColumn('open_erasure_id', 'text')
      .addColumn('open_obligations', 'integer', (c) => c.notNull())
      .addColumn('active_legal_holds', 'integer', (c) => c.notNull())
      .addColumn('erased_at', 'text')
      .addColumn('revision', 'bigint', (c) => c.notNull())
      .addColumn('position', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('rm_subjects_retention').on('rm_subjects').columns(['retention_ends_on', 'subject_id']).execute();

    await db.schema.createTable('rm_consents')
      .addColumn('subject_id', 'text', (c) => c.notNull())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('basis', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('categories', 'text', (c) => c.notNull())
      .addColumn('policy_version', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('third_party_transfer', 'integer', (c) => c.notNull())
      .addColumn('cross_border_transfer', 'integer', (c) => c.notNull())
      .addColumn('publication', 'integer', (c) => c.notNull())
      .addColumn('valid_until', 'text')
      .addColumn('granted_at', 'text', (c) => c.notNull())
      .addColumn('withdrawn_on', 'text')
      .addColumn('position', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('rm_consents_pk', ['subject_id', 'purpose'])
      .execute();
    await db.schema.createIndex('rm_consents_purpose').on('rm_consents').columns(['purpose', 'status', 'subject_id']).execute();

    await db.schema.createTable('rm_erasures')
      .addColumn('erasure_id', 'text', (c) => c.primaryKey())
      .addColumn('subject_id', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('withdrawal_id', 'text')
      .addColumn('received_on', 'text', (c) => c.notNull())
      .addColumn('due_on', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('cancelled_at', 'text')
      .addColumn('completed_at', 'text')
      .addColumn('awaiting_acknowledgement', 'text', (c) => c.notNull())
      .addColumn('position', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('rm_erasures_status_due').on('rm_erasures').columns(['status', 'due_on', 'erasure_id']).execute();
    await db.schema.createIndex('rm_erasures_subject').on('rm_erasures').columns(['subject_id']).execute();

    await db.schema.createTable('rm_transfers')
      .addColumn('transfer_id', 'text', (c) => c.primaryKey())
      .addColumn('subject_id', 'text', (c) => c.notNull())
      .addColumn('recipient_id', 'text', (c) => c.notNull())
      .addColumn('recipient_country', 'text', (c) => c.notNull())
      .addColumn('cross_border', 'integer', (c) => c.notNull())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('categories', 'text', (c) => c.notNull())
      .addColumn('form', 'text', (c) => c.notNull())
      .addColumn('transferred_at', 'text', (c) => c.notNull())
      .addColumn('position', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('rm_transfers_position').on('rm_transfers').column('position').execute();
    await db.schema.createIndex('rm_transfers_subject').on('rm_transfers').columns(['subject_id', 'position']).execute();
    await db.schema.createIndex('rm_transfers_recipient').on('rm_transfers').columns(['recipient_id', 'position']).execute();
    await db.schema.createIndex('rm_transfers_country').on('rm_transfers').columns(['recipient_country', 'position']).execute();

    await db.schema.createTable('rm_policy_versions')
      .addColumn('version', 'text', (c) => c.primaryKey())
      .addColumn('text_sha256', 'text', (c) => c.notNull())
      .addColumn('published_at', 'text', (c) => c.notNull())
      .addColumn('position', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createTable('rm_policy_acceptances')
      .addColumn('subject_id', 'text', (c) => c.notNull())
      .addColumn('policy_version', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('accepted_at', 'text', (c) => c.notNull())
      .addColumn('position', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('rm_policy_acceptances_pk', ['subject_id', 'policy_version'])
      .execute();
    await db.schema.createIndex('rm_policy_acceptances_version').on('rm_policy_acceptances').columns(['policy_version', 'subject_id']).execute();

    await db.schema.createTable('rm_recipients')
      .addColumn('recipient_id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('country', 'text', (c) => c.notNull())
      .addColumn('position', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createTable('rm_recipient_agreements')
      .addColumn('recipient_id', 'text', (c) => c.notNull())
      .addColumn('reference', 'text', (c) => c.notNull())
      .addColumn('signed_on', 'text', (c) => c.notNull())
      .addColumn('expires_on', 'text')
      .addColumn('ended_on', 'text')
      .addColumn('position', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('rm_recipient_agreements_pk', ['recipient_id', 'reference'])
      .execute();

    await db.schema.createTable('rm_personal_data')
      .addColumn('subject_id', 'text', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('sealed', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .addColumn('position', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('rm_personal_data_pk', ['subject_id', 'category'])
      .execute();

    await db.schema.createTable('rm_checkpoints')
      .addColumn('projection', 'text', (c) => c.primaryKey())
      .addColumn('position', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
};

/** Erasure stages and acknowledgements (erasure issue); the scheduler's lease. */
const m002: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('rm_erasures').addColumn('acknowledged', 'text', (c) => c.notNull().defaultTo('[]')).execute();
    await db.schema.alterTable('rm_erasures').addColumn('started_at', 'text').execute();
    await db.schema.alterTable('rm_erasures').addColumn('shredded_at', 'text').execute();
    await db.schema.alterTable('rm_erasures').addColumn('overdue', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.createTable('ledger_leases')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('holder', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
  },
};

/**
 * Consents with an end of validity (§2.10, Law 94-V Art. 8): the scheduler looks for
 * subjects whose every basis lapsed, from the few active consents that have an end date.
 */
const m003: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('rm_consents_valid_until').on('rm_consents').columns(['valid_until', 'subject_id'])
      .where(sql.ref('valid_until'), 'is not', null).execute();
  },
};

/**
 * The subjects register (`ReadModelQueries.subjects`): by agreement state (§2.7) and by
 * the policy version in force (§1.4), in subject order; blocked (§2.5) and erased subjects
 * (§2.10) are few, so theirs are partial indexes (a plain scan in subject order serves
 * the many that are neither).
 */
const m004: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('rm_subjects_agreement').on('rm_subjects').columns(['agreement_state', 'subject_id']).execute();
    await db.schema.createIndex('rm_subjects_policy').on('rm_subjects').columns(['policy_version', 'subject_id']).execute();
    await db.schema.createIndex('rm_subjects_restricted').on('rm_subjects').column('subject_id')
      .where(sql.ref('restricted'), '=', sql.lit(1)).execute();
    await db.schema.createIndex('rm_subjects_erased').on('rm_subjects').column('subject_id')
      .where(sql.ref('status'), '=', sql.lit('erased')).execute();
  },
};

/**
 * A checkpoint names the event it stopped at, not only its position, so a projector can
 * tell when the event store under it is not the one it projected (restored from a backup,
 * or another store): it then stops instead of skipping new events in silence.
 */
const m005: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('rm_checkpoints').addColumn('event_id', 'text').execute();
  },
};

export const READ_MODEL_MIGRATIONS: Record<string, Migration> = {
  '001_initial': m001, '002_erasure_stages': m002, '003_consent_validity': m003, '004_subjects_register': m004,
  '005_checkpoint_event': m005,
};

export const migrationProvider: MigrationProvider = { getMigrations: async () => READ_MODEL_MIGRATIONS };
