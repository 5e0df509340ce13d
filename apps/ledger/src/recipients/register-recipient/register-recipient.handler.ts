import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { recipientDecider, recipientStream, type RecipientCommand } from '@ledger/domain';
import type { CommandContext } from '../../http/command-context';
import { DecisionRunner, type CommandResult } from '../../infrastructure/decision-runner';
import type {
  EndConfidentialityAgreementRequest, RecordConfidentialityAgreementRequest, RegisterRecipientRequest,
} from './register-recipient.request.dto';

type RecipientData = { [K in RecipientCommand['type']]: Extract<RecipientCommand, { type: K }>['data'] };

/** One command on a recipient's stream: register, record or end an agreement. */
export class RecipientCommandEnvelope<K extends RecipientCommand['type'] = RecipientCommand['type']> {
  constructor(readonly recipientId: string, readonly type: K, readonly data: RecipientData[K], readonly ctx: CommandContext) {}

  static register(body: RegisterRecipientRequest, ctx: CommandContext) {
    return new RecipientCommandEnvelope(body.recipientId, 'RegisterRecipient', { ...body, country: body.country.toUpperCase() }, ctx);
  }
  static recordAgreement(recipientId: string, body: RecordConfidentialityAgreementRequest, ctx: CommandContext) {
    return new RecipientCommandEnvelope(recipientId, 'RecordConfidentialityAgreement', { ...body, expiresOn: body.expiresOn ?? null }, ctx);
  }
  static endAgreement(recipientId: string, reference: string, body: EndConfidentialityAgreementRequest, ctx: CommandContext) {
    return new RecipientCommandEnvelope(recipientId, 'EndConfidentialityAgreement', { reference, endedOn: body.endedOn }, ctx);
  }
}

@CommandHandler(RecipientCommandEnvelope)
export class RecipientCommandHandler implements ICommandHandler<RecipientCommandEnvelope, CommandResult> {
  constructor(private readonly runner: DecisionRunner) {}

  execute(c: RecipientCommandEnvelope): Promise<CommandResult> {
    return this.runner.run({
      decider: recipientDecider,
      streamId: recipientStream(c.recipientId),
      ctx: c.ctx,
      command: (_, now) => ({ type: c.type, data: c.data, now }) as RecipientCommand,
    });
  }
}
