import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { PersonalDataSealer } from '@ledger/crypto';
import type { CommandContext } from '../../http/command-context';
import type { CommandResult } from '../../infrastructure/decision-runner';
import { SubjectCommands } from '../subject-commands';
import type { RecordPersonalDataRequest } from './record-personal-data.request.dto';

export class RecordPersonalDataCommand {
  constructor(readonly subjectId: string, readonly body: RecordPersonalDataRequest, readonly ctx: CommandContext) {}
}

@CommandHandler(RecordPersonalDataCommand)
export class RecordPersonalDataHandler implements ICommandHandler<RecordPersonalDataCommand, CommandResult> {
  constructor(private readonly subjects: SubjectCommands, private readonly sealer: PersonalDataSealer) {}

  execute({ subjectId, body, ctx }: RecordPersonalDataCommand): Promise<CommandResult> {
    // Sealing an erased subject's value fails on the destroyed key (422 SUBJECT_ERASED);
    // the vault never issues a new key after a shred.
    return this.subjects.run(subjectId, ctx, async (now) => ({
      type: 'RecordPersonalData',
      now,
      data: { category: body.category, source: body.source, value: await this.sealer.seal(subjectId, body.category, body.value) },
    }));
  }
}
