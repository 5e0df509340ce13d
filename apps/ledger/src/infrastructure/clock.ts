import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/** Time is injected (ARCHITECTURE §3): logic asks the Clock, tests set it. */
export interface Clock {
  now(): Date;
}
export const CLOCK = Symbol('Clock');
export const systemClock: Clock = { now: () => new Date() };

/** Ids are injected too: UUIDv7, so event ids sort by creation time. */
export interface IdGenerator {
  next(): string;
}
export const ID_GENERATOR = Symbol('IdGenerator');

/**
 * UUIDv7 with its random bits drawn from a pool refilled 256 ids at a time: one
 * call into the system's CSPRNG per 256 ids instead of one per id (measured on the
 * command path).
 */
export function pooledUuidV7(): IdGenerator {
  const pool = Buffer.alloc(16 * 256);
  let offset = pool.length;
  return {
    next() {
      if (offset === pool.length) {
        randomFillSync(pool);
        offset = 0;
      }
      const random = pool.subarray(offset, offset + 16);
      offset += 16;
      return uuidv7({ random });
    },
  };
}
