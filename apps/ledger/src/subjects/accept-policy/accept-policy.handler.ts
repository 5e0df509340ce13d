import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { findPolicyVersion } from '@ledger/domain';
import type { CommandContext } from '../../http/command-context';
import type { CommandResult } from '../../infrastructure/decision-runner';
import { ReferenceData } from '../../infrastructure/repositories';
import { SubjectCommands } from '../subject-commands';
import type { AcceptPolicyRequest } from './accept-policy.request.dto';

export class AcceptPolicyCommand {
  constructor(readonly subjectId: string, readonly body: AcceptPolicyRequest, readonly ctx: CommandContext) {}
}

@CommandHandler(AcceptPolicyCommand)
export class AcceptPolicyHandler implements ICommandHandler<AcceptPolicyCommand, CommandResult> {
  constructor(private readonly subjects: SubjectCommands, private readonly reference: ReferenceData) {}

  async execute({ subjectId, body, ctx }: AcceptPolicyCommand): Promise<CommandResult> {
    const policy = findPolicyVersion(await this.reference.policy(), body.policyVersion);
    return this.subjects.run(subjectId, ctx, (now) => ({
      type: 'AcceptPolicy', now, data: { policyVersion: body.policyVersion, policy, mode: body.mode, at: new Date(body.at) },
    }));
  }
}
