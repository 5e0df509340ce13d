import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { kzDateOf, recipientSnapshot } from '@ledger/domain';
import type { CommandContext } from '../../http/command-context';
import { ID_GENERATOR, type IdGenerator } from '../../infrastructure/clock';
import type { CommandResult } from '../../infrastructure/decision-runner';
import { ReferenceData } from '../../infrastructure/repositories';
import { SubjectCommands } from '../subject-commands';
import type { RecordTransferRequest } from './record-transfer.request.dto';

export class RecordTransferCommand {
  constructor(readonly subjectId: string, readonly body: RecordTransferRequest, readonly ctx: CommandContext) {}
}

@CommandHandler(RecordTransferCommand)
export class RecordTransferHandler implements ICommandHandler<RecordTransferCommand, CommandResult> {
  constructor(
    private readonly subjects: SubjectCommands,
    private readonly reference: ReferenceData,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  async execute({ subjectId, body, ctx }: RecordTransferCommand): Promise<CommandResult> {
    const recipient = await this.reference.recipient(body.recipientId);
    const transferredAt = new Date(body.transferredAt);
    return this.subjects.run(subjectId, ctx, (now) => ({
      type: 'RecordTransfer',
      now,
      data: {
        transferId: this.ids.next(),
        // §4.4 — the agreement must be in force on the day the data left
        recipient: recipientSnapshot(recipient, kzDateOf(transferredAt)),
        purpose: body.purpose,
        categories: body.categories,
        form: body.form,
        transferredAt,
      },
    }));
  }
}
