import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { POLICY_STREAM, policyDecider } from '@ledger/domain';
import type { CommandContext } from '../../http/command-context';
import { DecisionRunner, type CommandResult } from '../../infrastructure/decision-runner';
import type { PublishPolicyVersionRequest } from './publish-policy-version.request.dto';

export class PublishPolicyVersionCommand {
  constructor(readonly body: PublishPolicyVersionRequest, readonly ctx: CommandContext) {}
}

@CommandHandler(PublishPolicyVersionCommand)
export class PublishPolicyVersionHandler implements ICommandHandler<PublishPolicyVersionCommand, CommandResult> {
  constructor(private readonly runner: DecisionRunner) {}

  execute({ body, ctx }: PublishPolicyVersionCommand): Promise<CommandResult> {
    return this.runner.run({
      decider: policyDecider,
      streamId: POLICY_STREAM,
      ctx,
      command: (_, now) => ({
        type: 'PublishPolicyVersion',
        now,
        data: { version: body.version, textSha256: body.textSha256, publishedAt: body.publishedAt ? new Date(body.publishedAt) : now },
      }),
    });
  }
}
