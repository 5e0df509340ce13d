import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandContext } from '../../http/command-context';
import type { CommandResult } from '../../infrastructure/decision-runner';
import { SubjectCommands } from '../subject-commands';
import type { OpenObligationRequest, PlaceLegalHoldRequest } from './obligations.request.dto';

export class OpenObligationCommand {
  constructor(readonly subjectId: string, readonly body: OpenObligationRequest, readonly ctx: CommandContext) {}
}
export class SettleObligationCommand {
  constructor(readonly subjectId: string, readonly obligationId: string, readonly ctx: CommandContext) {}
}
export class PlaceLegalHoldCommand {
  constructor(readonly subjectId: string, readonly body: PlaceLegalHoldRequest, readonly ctx: CommandContext) {}
}
export class ReleaseLegalHoldCommand {
  constructor(readonly subjectId: string, readonly holdId: string, readonly ctx: CommandContext) {}
}

@CommandHandler(OpenObligationCommand)
export class OpenObligationHandler implements ICommandHandler<OpenObligationCommand, CommandResult> {
  constructor(private readonly subjects: SubjectCommands) {}
  execute({ subjectId, body, ctx }: OpenObligationCommand) {
    return this.subjects.run(subjectId, ctx, (now) => ({ type: 'OpenObligation', now, data: { obligationId: body.obligationId, kind: body.kind } }));
  }
}

@CommandHandler(SettleObligationCommand)
export class SettleObligationHandler implements ICommandHandler<SettleObligationCommand, CommandResult> {
  constructor(private readonly subjects: SubjectCommands) {}
  execute({ subjectId, obligationId, ctx }: SettleObligationCommand) {
    return this.subjects.run(subjectId, ctx, (now) => ({ type: 'SettleObligation', now, data: { obligationId } }));
  }
}

@CommandHandler(PlaceLegalHoldCommand)
export class PlaceLegalHoldHandler implements ICommandHandler<PlaceLegalHoldCommand, CommandResult> {
  constructor(private readonly subjects: SubjectCommands) {}
  execute({ subjectId, body, ctx }: PlaceLegalHoldCommand) {
    return this.subjects.run(subjectId, ctx, (now) => ({
      type: 'PlaceLegalHold', now, data: { holdId: body.holdId, authority: body.authority, reference: body.reference },
    }));
  }
}

@CommandHandler(ReleaseLegalHoldCommand)
export class ReleaseLegalHoldHandler implements ICommandHandler<ReleaseLegalHoldCommand, CommandResult> {
  constructor(private readonly subjects: SubjectCommands) {}
  execute({ subjectId, holdId, ctx }: ReleaseLegalHoldCommand) {
    return this.subjects.run(subjectId, ctx, (now) => ({ type: 'ReleaseLegalHold', now, data: { holdId } }));
  }
}
