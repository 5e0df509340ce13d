import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandContext } from '../../http/command-context';
import { ID_GENERATOR, type IdGenerator } from '../../infrastructure/clock';
import type { CommandResult } from '../../infrastructure/decision-runner';
import { SubjectCommands } from '../subject-commands';
import type { RestrictProcessingRequest } from './restrict-processing.request.dto';

export class RestrictProcessingCommand {
  constructor(readonly subjectId: string, readonly body: RestrictProcessingRequest, readonly ctx: CommandContext) {}
}
export class LiftRestrictionCommand {
  constructor(readonly subjectId: string, readonly ctx: CommandContext) {}
}

@CommandHandler(RestrictProcessingCommand)
export class RestrictProcessingHandler implements ICommandHandler<RestrictProcessingCommand, CommandResult> {
  constructor(private readonly subjects: SubjectCommands, @Inject(ID_GENERATOR) private readonly ids: IdGenerator) {}

  execute({ subjectId, body, ctx }: RestrictProcessingCommand): Promise<CommandResult> {
    return this.subjects.run(subjectId, ctx, (now) => ({
      type: 'RestrictProcessing', now, data: { restrictionId: this.ids.next(), reason: body.reason, requestedOn: body.requestedOn },
    }));
  }
}

@CommandHandler(LiftRestrictionCommand)
export class LiftRestrictionHandler implements ICommandHandler<LiftRestrictionCommand, CommandResult> {
  constructor(private readonly subjects: SubjectCommands) {}

  execute({ subjectId, ctx }: LiftRestrictionCommand): Promise<CommandResult> {
    return this.subjects.run(subjectId, ctx, (now) => ({ type: 'LiftRestriction', now, data: {} }));
  }
}
