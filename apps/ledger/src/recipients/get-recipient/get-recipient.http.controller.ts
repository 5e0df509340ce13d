import { Controller, Inject, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { agreementInForce, HOME_COUNTRY, kzDateOf, notFound, type RecipientKind } from '@ledger/domain';
import { ReadModelQueries, type RecipientAgreementRow, type RecipientRow } from '@ledger/read-models';
import { minPositionOf, ReadOptions } from '../../http/read-options';
import { ReadModelRoute } from '../../http/routes';
import { OpaqueIdPipe } from '../../http/validation';
import { CLOCK, type Clock } from '../../infrastructure/clock';
import { ReadYourWrites } from '../../read-side/read-side.module';
import { registerAnswer } from '../../registers/register-output';
import { PageParams } from '../../registers/register-params';
import { RECIPIENT, RECIPIENTS } from '../../http/openapi-views';

const RECIPIENT_COLUMNS = ['recipientId', 'name', 'kind', 'country', 'crossBorder', 'confidentialityAgreementInForce', 'agreements'];

/** The third-party register (§2.2, §3.1, §4.4), from the read models. */
@ApiTags('recipients')
@Controller('v1/recipients')
export class GetRecipientController {
  constructor(
    private readonly queries: ReadModelQueries,
    private readonly readYourWrites: ReadYourWrites,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private view(today: string) {
    return (r: RecipientRow & { agreements: RecipientAgreementRow[] }) => {
      const agreements = r.agreements.map((a) => ({ reference: a.reference, signedOn: a.signed_on, expiresOn: a.expires_on, endedOn: a.ended_on }));
      const inForce = agreementInForce({ registered: null, agreements }, today);
      return {
        recipientId: r.recipient_id, name: r.name, kind: r.kind as RecipientKind, country: r.country,
        crossBorder: r.country !== HOME_COUNTRY, confidentialityAgreementInForce: inForce, agreements: agreements as never,
      };
    };
  }

  @ReadModelRoute('', 'All registered recipients and their confidentiality agreements (§4.4)', RECIPIENTS, 'admin', 'service', 'auditor', 'regulator')
  async list(@Query() p: PageParams) {
    await this.readYourWrites.waitFor(minPositionOf(p));
    const view = this.view(kzDateOf(this.clock.now()));
    // as CSV (§4.4, a record): one row a recipient, its agreements' references in one cell
    const csvView = (r: Parameters<typeof view>[0]) => {
      const { agreements, ...rest } = view(r);
      return { ...rest, agreements: (agreements as { reference: string }[]).map((a) => a.reference) };
    };
    return registerAnswer(p, { name: 'recipients', columns: RECIPIENT_COLUMNS }, this.readYourWrites, (q, cursor, limit) => q.recipients(cursor, limit), view, csvView);
  }

  @ReadModelRoute(':recipientId', 'A recipient and its confidentiality agreements (§4.4)', RECIPIENT, 'admin', 'service', 'auditor', 'regulator')
  async get(@Param('recipientId', OpaqueIdPipe) recipientId: string, @Query() read: ReadOptions) {
    await this.readYourWrites.waitFor(minPositionOf(read));
    const page = await this.queries.recipients(undefined, 1, recipientId);
    const found = page.items[0];
    if (!found) throw notFound('UNKNOWN_RECIPIENT', 'no recipient is registered under that id');
    return this.view(kzDateOf(this.clock.now()))(found);
  }
}
