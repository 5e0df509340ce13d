import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandContext } from '../../http/command-context';
import type { CommandResult } from '../../infrastructure/decision-runner';
import { SubjectCommands } from '../subject-commands';

export class AcknowledgeErasureCommand {
  constructor(readonly subjectId: string, readonly erasureId: string, readonly system: string, readonly ctx: CommandContext) {}
}

@CommandHandler(AcknowledgeErasureCommand)
export class AcknowledgeErasureHandler implements ICommandHandler<AcknowledgeErasureCommand, CommandResult> {
  constructor(private readonly subjects: SubjectCommands) {}

  execute({ subjectId, erasureId, system, ctx }: AcknowledgeErasureCommand): Promise<CommandResult> {
    return this.subjects.run(subjectId, ctx, (now) => ({ type: 'AcknowledgeErasure', now, data: { erasureId, system } }));
  }
}
