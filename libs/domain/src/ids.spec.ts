import fc from 'fast-check';
import { isOpaqueId } from './ids';

/** §4.1 / ARCHITECTURE §3: subject ids are opaque; nothing that identifies a person becomes a stream id. */
describe('opaque ids', () => {
  const ulid = fc.tuple(fc.constantFrom(...'01234567'), fc.array(fc.constantFrom(...'0123456789ABCDEFGHJKMNPQRSTVWXYZ'), { minLength: 25, maxLength: 25 }))
    .map(([first, rest]) => first + rest.join(''));

  it('accepts every UUID and ULID, in either case, whatever digits they happen to hold', () => {
    fc.assert(fc.property(fc.oneof(fc.uuid(), ulid), fc.boolean(), (id, upper) => isOpaqueId(upper ? id.toUpperCase() : id.toLowerCase())));
    // the cases that were refused: a run of 7+ digits in a random id
    expect(isOpaqueId('550e8400-e29b-41d4-a716-446655440000')).toBe(true);
    expect(isOpaqueId('01JDQ4Z8M3K7123456789ABCDE')).toBe(true);
  });

  it('refuses phone and document numbers, bare or inside an id that is not a UUID or ULID', () => {
    const digits = (n: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: n, maxLength: n }).map((d) => d.join(''));
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'abcxyz_-'), maxLength: 20 }), digits(7).chain((d) => fc.constant(d)), fc.string({ unit: fc.constantFrom(...'abcxyz_-'), maxLength: 20 }),
      (before, number, after) => !isOpaqueId(`${before}${number}${after}`)));
    for (const id of ['77011234567', '+77011234567', 'user-900101300123', 'alice@example.kz', '8 701 123 45 67', 'a'.repeat(65), '']) {
      expect(isOpaqueId(id)).toBe(false);
    }
    // UUID-shaped but not a UUID (too long a group, wrong separators): the digit rule holds
    expect(isOpaqueId('00000000-0000-0000-0000-9001013001234')).toBe(false);
    expect(isOpaqueId('00000000_0000_0000_0000_900101300123')).toBe(false);
  });

  it('accepts short numbers and ordinary slugs', () => {
    expect(isOpaqueId('u-123456')).toBe(true);
    expect(isOpaqueId('kz-partner')).toBe(true);
  });
});
