import { Controller, Inject, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { agreementInForce, HOME_COUNTRY, kzDateOf, notFound } from '@ledger/domain';
import { QueryRoute } from '../../http/routes';
import { OpaqueIdPipe } from '../../http/validation';
import { CLOCK, type Clock } from '../../infrastructure/clock';
import { ReferenceData } from '../../infrastructure/repositories';

@ApiTags('recipients')
@Controller('v1/recipients')
export class GetRecipientController {
  constructor(private readonly reference: ReferenceData, @Inject(CLOCK) private readonly clock: Clock) {}

  @QueryRoute(':recipientId', 'A recipient and its confidentiality agreements (§4.4)', 'admin', 'service', 'auditor')
  async get(@Param('recipientId', OpaqueIdPipe) recipientId: string) {
    const state = await this.reference.recipient(recipientId);
    if (!state.registered) throw notFound('UNKNOWN_RECIPIENT', 'no recipient is registered under that id');
    return {
      ...state.registered,
      crossBorder: state.registered.country !== HOME_COUNTRY,
      confidentialityAgreementInForce: agreementInForce(state, kzDateOf(this.clock.now())),
      agreements: state.agreements,
    };
  }
}
