import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { findPolicyVersion } from '@ledger/domain';
import type { CommandContext } from '../../http/command-context';
import { ID_GENERATOR, type IdGenerator } from '../../infrastructure/clock';
import type { CommandResult } from '../../infrastructure/decision-runner';
import { ReferenceData } from '../../infrastructure/repositories';
import { SubjectCommands } from '../subject-commands';
import type { GrantConsentRequest } from './grant-consent.request.dto';

export class GrantConsentCommand {
  constructor(readonly subjectId: string, readonly body: GrantConsentRequest, readonly ctx: CommandContext) {}
}

@CommandHandler(GrantConsentCommand)
export class GrantConsentHandler implements ICommandHandler<GrantConsentCommand, CommandResult> {
  constructor(
    private readonly subjects: SubjectCommands,
    private readonly reference: ReferenceData,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  async execute({ subjectId, body, ctx }: GrantConsentCommand): Promise<CommandResult> {
    const policy = findPolicyVersion(await this.reference.policy(), body.policyVersion);
    return this.subjects.run(subjectId, ctx, (now) => ({
      type: 'GrantConsent',
      now,
      data: {
        consentId: this.ids.next(),
        purposes: body.purposes,
        categories: body.categories,
        basis: body.basis ?? 'consent',
        policyVersion: body.policyVersion,
        policy,
        channel: body.channel,
        thirdPartyTransfer: body.thirdPartyTransfer,
        crossBorderTransfer: body.crossBorderTransfer,
        publication: body.publication,
        validUntil: body.validUntil ?? null,
      },
    }));
  }
}
