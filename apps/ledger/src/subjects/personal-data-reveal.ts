import { Injectable } from '@nestjs/common';
import { isSealedValue } from '@ledger/domain';
import { PersonalDataSealer } from '@ledger/crypto';
import { PERSONAL_DATA_ROLES } from '../config/ledger.config';
import type { Principal } from '../http/auth';
import type { SealedView } from '../http/views';

/**
 * Decides what a caller sees of a sealed value: plaintext for roles allowed to see
 * personal data; the fact and date of erasure, for every role, once the key is
 * shredded; otherwise only that a value exists.
 */
@Injectable()
export class PersonalDataReveal {
  constructor(private readonly sealer: PersonalDataSealer) {}

  forPrincipal(principal: Principal, subjectId: string, category: string) {
    const allowed = (PERSONAL_DATA_ROLES as readonly string[]).includes(principal.role);
    return async (_field: string, sealed: unknown): Promise<SealedView> => {
      if (!isSealedValue(sealed)) return { visible: false };
      if (!allowed) {
        // the fact of erasure is not personal data: every role may see it
        const erasedAt = await this.sealer.shreddedAt(subjectId);
        return erasedAt ? { visible: true, erased: true, erasedAt } : { visible: false };
      }
      const opened = await this.sealer.open(subjectId, category, sealed);
      return opened.status === 'plaintext'
        ? { visible: true, value: opened.value }
        : { visible: true, erased: true, erasedAt: opened.erasedAt };
    };
  }
}
