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
export const uuidV7Ids: IdGenerator = { next: () => uuidv7() };
