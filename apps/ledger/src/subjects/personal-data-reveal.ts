import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { isSealedValue } from '@ledger/domain';
import { PersonalDataSealer } from '@ledger/crypto';
import { PERSONAL_DATA_ROLES } from '../config/ledger.config';
import type { Principal } from '../http/auth';
import type { SealedView } from '../http/views';
import { ROOT_LOGGER } from '../infrastructure/logger';
import { LedgerMetrics } from '../operations/metrics';

/**
 * Decides what a caller sees of a sealed value: plaintext for roles allowed to see
 * personal data; the fact and date of erasure, for every role, once the key is
 * shredded; otherwise only that a value exists.
 */
@Injectable()
export class PersonalDataReveal {
  constructor(
    private readonly sealer: PersonalDataSealer,
    private readonly metrics: LedgerMetrics,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

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
      switch (opened.status) {
        case 'plaintext': return { visible: true, value: opened.value };
        case 'erased': return { visible: true, erased: true, erasedAt: opened.erasedAt };
        case 'unreadable':
          // lost data is an operator's emergency, not a caller's error: the answer says
          // which value is lost, the log and the metric say it happened (no subject id)
          this.metrics.unreadableValues.inc({ reason: opened.reason });
          this.logger.error({ reason: opened.reason, category }, 'a personal-data value cannot be opened: its data key is missing from the key vault or does not open it (a vault restored from an older backup?)');
          return { visible: true, unreadable: true, reason: opened.reason };
      }
    };
  }
}
