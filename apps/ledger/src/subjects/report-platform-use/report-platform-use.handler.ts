import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandContext } from '../../http/command-context';
import type { CommandResult } from '../../infrastructure/decision-runner';
import { ReferenceData } from '../../infrastructure/repositories';
import { SubjectCommands } from '../subject-commands';

export class ReportPlatformUseCommand {
  constructor(readonly subjectId: string, readonly at: Date, readonly ctx: CommandContext) {}
}

@CommandHandler(ReportPlatformUseCommand)
export class ReportPlatformUseHandler implements ICommandHandler<ReportPlatformUseCommand, CommandResult> {
  constructor(private readonly subjects: SubjectCommands, private readonly reference: ReferenceData) {}

  async execute({ subjectId, at, ctx }: ReportPlatformUseCommand): Promise<CommandResult> {
    const { versions } = await this.reference.policy();
    return this.subjects.run(subjectId, ctx, (now) => ({ type: 'ReportPlatformUse', now, data: { at, published: versions } }));
  }
}
