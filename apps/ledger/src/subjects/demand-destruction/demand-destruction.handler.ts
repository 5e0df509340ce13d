import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandContext } from '../../http/command-context';
import { ID_GENERATOR, type IdGenerator } from '../../infrastructure/clock';
import type { CommandResult } from '../../infrastructure/decision-runner';
import { SubjectCommands } from '../subject-commands';
import type { DemandDestructionRequest } from './demand-destruction.request.dto';

export class DemandDestructionCommand {
  constructor(readonly subjectId: string, readonly body: DemandDestructionRequest, readonly ctx: CommandContext) {}
}

@CommandHandler(DemandDestructionCommand)
export class DemandDestructionHandler implements ICommandHandler<DemandDestructionCommand, CommandResult> {
  constructor(private readonly subjects: SubjectCommands, @Inject(ID_GENERATOR) private readonly ids: IdGenerator) {}

  execute({ subjectId, body, ctx }: DemandDestructionCommand): Promise<CommandResult> {
    return this.subjects.run(subjectId, ctx, (now) => ({
      type: 'DemandDestruction',
      now,
      data: { demandId: this.ids.next(), erasureId: this.ids.next(), receivedOn: body.receivedOn },
    }));
  }
}
