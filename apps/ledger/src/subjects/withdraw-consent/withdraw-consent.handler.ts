import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandContext } from '../../http/command-context';
import { ID_GENERATOR, type IdGenerator } from '../../infrastructure/clock';
import type { CommandResult } from '../../infrastructure/decision-runner';
import { SubjectCommands } from '../subject-commands';
import type { WithdrawConsentRequest } from './withdraw-consent.request.dto';

export class WithdrawConsentCommand {
  constructor(readonly subjectId: string, readonly body: WithdrawConsentRequest, readonly ctx: CommandContext) {}
}

@CommandHandler(WithdrawConsentCommand)
export class WithdrawConsentHandler implements ICommandHandler<WithdrawConsentCommand, CommandResult> {
  constructor(private readonly subjects: SubjectCommands, @Inject(ID_GENERATOR) private readonly ids: IdGenerator) {}

  execute({ subjectId, body, ctx }: WithdrawConsentCommand): Promise<CommandResult> {
    return this.subjects.run(subjectId, ctx, (now) => ({
      type: 'WithdrawConsent',
      now,
      data: { withdrawalId: this.ids.next(), erasureId: this.ids.next(), purposes: body.purposes, receivedOn: body.receivedOn },
    }));
  }
}
