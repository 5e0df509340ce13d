import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandContext } from '../../http/command-context';
import type { CommandResult } from '../../infrastructure/decision-runner';
import { SubjectCommands } from '../subject-commands';
import type { TerminateAgreementRequest } from './terminate-agreement.request.dto';

export class TerminateAgreementCommand {
  constructor(readonly subjectId: string, readonly body: TerminateAgreementRequest, readonly ctx: CommandContext) {}
}

@CommandHandler(TerminateAgreementCommand)
export class TerminateAgreementHandler implements ICommandHandler<TerminateAgreementCommand, CommandResult> {
  constructor(private readonly subjects: SubjectCommands) {}

  execute({ subjectId, body, ctx }: TerminateAgreementCommand): Promise<CommandResult> {
    return this.subjects.run(subjectId, ctx, (now) => ({ type: 'TerminateAgreement', now, data: { endedOn: body.endedOn, reason: body.reason } }));
  }
}
