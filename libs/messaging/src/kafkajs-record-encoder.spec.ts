import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { encodeRecord, type RecordInput } from './kafkajs-record-encoder';

// kafkajs's own record encoder, loaded by Node (not jest), as the producer would load it
const nodeRequire = createRequire(__filename);
const kafkajsRecord = nodeRequire('kafkajs/src/protocol/recordBatch/record/v0') as (r: RecordInput) => { buffer: Buffer };

describe('the single-buffer record encoder for kafkajs 2.2.4', () => {
  const bytes = fc.oneof(fc.string({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)));
  const headerValue = fc.oneof(bytes, fc.constant(null));
  const record = fc.record({
    offsetDelta: fc.nat(100_000),
    timestampDelta: fc.nat(10_000_000),
    key: fc.oneof(bytes, fc.constant(null)),
    value: fc.oneof(bytes, fc.constant(null)),
    headers: fc.dictionary(fc.string({ minLength: 1, maxLength: 40 }), fc.oneof(headerValue, fc.array(headerValue, { maxLength: 3 })), { maxKeys: 9 }),
  });

  const outcome = (encode: () => { buffer: Buffer }) => {
    try {
      return encode().buffer.toString('hex');
    } catch (error) {
      return `throws ${(error as Error).name}`;
    }
  };

  it('writes exactly the bytes kafkajs writes, for any key, value and headers (repeated headers, null keys and values, UTF-8)', () => {
    fc.assert(fc.property(record, (r) => {
      // kafkajs refuses a null header value (TypeError): so does this encoder
      expect(outcome(() => encodeRecord(r))).toBe(outcome(() => kafkajsRecord(r)));
    }), { numRuns: 500 });
  });

  it('writes the relay\'s own messages as kafkajs does: seven CloudEvents headers, a JSON value', () => {
    const r: RecordInput = {
      offsetDelta: 3, timestampDelta: 0, key: 'subject-Ω1',
      value: JSON.stringify({ subjectId: 'subject-Ω1', purposes: ['service-provision'] }),
      headers: {
        ce_id: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', ce_type: 'kz.platform.ledger.consent.granted.v1', ce_source: '/privacy-ledger',
        ce_time: '2026-11-25T06:00:00.000Z', ce_subject: 'subject-Ω1', ce_specversion: '1.0', content_type: 'application/json',
      },
    };
    const ours = encodeRecord(r).buffer;
    expect(ours.equals(kafkajsRecord(r).buffer)).toBe(true);
    expect(ours.includes(Buffer.from('ce_specversion'))).toBe(true);
  });

  it('installs in a fresh thread before kafkajs loads, and refuses once kafkajs has its own', () => {
    const script = `
      const { installRecordEncoder, encodeRecord } = require(${JSON.stringify(require.resolve('./kafkajs-record-encoder'))});
      const before = installRecordEncoder();
      require('kafkajs');
      const used = require('kafkajs/src/protocol/requests/produce/v3/request.js') && require('kafkajs/src/protocol/recordBatch/record/v0') === encodeRecord;
      process.stdout.write(JSON.stringify({ before, used, again: installRecordEncoder() }));`;
    const late = `
      require('kafkajs/src/protocol/requests/produce/v3/request.js');
      const { installRecordEncoder, encodeRecord } = require(${JSON.stringify(require.resolve('./kafkajs-record-encoder'))});
      process.stdout.write(JSON.stringify({ installed: installRecordEncoder(), used: require('kafkajs/src/protocol/recordBatch/record/v0') === encodeRecord }));`;
    const run = (code: string) => JSON.parse(execFileSync(process.execPath, ['-r', '@swc-node/register', '-e', code], { cwd: __dirname, encoding: 'utf8' }));
    expect(run(script)).toEqual({ before: true, used: true, again: true });
    expect(run(late)).toEqual({ installed: false, used: false });
  });
});
