import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandContext } from '../../http/command-context';
import { ID_GENERATOR, type IdGenerator } from '../../infrastructure/clock';
import type { CommandResult } from '../../infrastructure/decision-runner';
import { SubjectCommands } from '../subject-commands';
import type { RecordPurposeAchievedRequest } from './record-purpose-achieved.request.dto';

export class RecordPurposeAchievedCommand {
  constructor(readonly subjectId: string, readonly body: RecordPurposeAchievedRequest, readonly ctx: CommandContext) {}
}

@CommandHandler(RecordPurposeAchievedCommand)
export class RecordPurposeAchievedHandler implements ICommandHandler<RecordPurposeAchievedCommand, CommandResult> {
  constructor(private readonly subjects: SubjectCommands, @Inject(ID_GENERATOR) private readonly ids: IdGenerator) {}

  execute({ subjectId, body, ctx }: RecordPurposeAchievedCommand): Promise<CommandResult> {
    return this.subjects.run(subjectId, ctx, (now) => ({
      type: 'RecordPurposeAchieved', now, data: { purpose: body.purpose, achievedOn: body.achievedOn, erasureId: this.ids.next() },
    }));
  }
}
