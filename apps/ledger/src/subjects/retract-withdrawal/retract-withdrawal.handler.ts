import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandContext } from '../../http/command-context';
import type { CommandResult } from '../../infrastructure/decision-runner';
import { SubjectCommands } from '../subject-commands';
import type { RetractWithdrawalRequest } from './retract-withdrawal.request.dto';

export class RetractWithdrawalCommand {
  constructor(readonly subjectId: string, readonly body: RetractWithdrawalRequest, readonly ctx: CommandContext) {}
}

@CommandHandler(RetractWithdrawalCommand)
export class RetractWithdrawalHandler implements ICommandHandler<RetractWithdrawalCommand, CommandResult> {
  constructor(private readonly subjects: SubjectCommands) {}

  execute({ subjectId, body, ctx }: RetractWithdrawalCommand): Promise<CommandResult> {
    return this.subjects.run(subjectId, ctx, (now) => ({ type: 'RetractWithdrawal', now, data: { retractedOn: body.retractedOn, via: body.via } }));
  }
}
