import { createHmac } from 'node:crypto';

/**
 * §3.1 "anonymised by hashing": keyed HMAC-SHA-256 with a deployment secret. A bare hash
 * of a phone number or an email is reversible by enumeration; a keyed one is not without
 * the secret. The domain separates uses, so one token never links two contexts.
 */
export class Pseudonymiser {
  constructor(private readonly secret: Buffer) {
    if (secret.length < 32) throw new Error('the pseudonymisation secret must be at least 32 bytes');
  }

  token(domain: string, value: string): string {
    return createHmac('sha256', this.secret).update(domain).update('\u0000').update(value, 'utf8').digest('hex');
  }
}
