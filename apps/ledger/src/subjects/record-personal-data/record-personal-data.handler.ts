import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { PersonalDataSealer } from '@ledger/crypto';
import type { SealedValue } from '@ledger/domain';
import type { CommandContext } from '../../http/command-context';
import type { CommandResult } from '../../infrastructure/decision-runner';
import { SubjectCommands } from '../subject-commands';
import type { RecordPersonalDataRequest } from './record-personal-data.request.dto';

/** Stands in for the ciphertext while the decision is only checked. */
const UNSEALED: SealedValue = { alg: 'A256GCM', v: 1, iv: '', ct: '', tag: '' };

export class RecordPersonalDataCommand {
  constructor(readonly subjectId: string, readonly body: RecordPersonalDataRequest, readonly ctx: CommandContext) {}
}

@CommandHandler(RecordPersonalDataCommand)
export class RecordPersonalDataHandler implements ICommandHandler<RecordPersonalDataCommand, CommandResult> {
  constructor(private readonly subjects: SubjectCommands, private readonly sealer: PersonalDataSealer) {}

  execute({ subjectId, body, ctx }: RecordPersonalDataCommand): Promise<CommandResult> {
    return this.subjects.run(subjectId, ctx, async (now, state) => {
      // Refusals come before sealing: a refused request must not create a data key.
      this.subjects.check({ type: 'RecordPersonalData', now, data: { category: body.category, source: body.source, value: UNSEALED } }, state);
      // An erased subject's key is destroyed: sealing fails (422 SUBJECT_ERASED), never re-keys.
      const value = await this.sealer.seal(subjectId, body.category, body.value);
      return { type: 'RecordPersonalData', now, data: { category: body.category, source: body.source, value } };
    });
  }
}
