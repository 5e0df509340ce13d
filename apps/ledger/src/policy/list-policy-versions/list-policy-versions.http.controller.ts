import { Controller, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { impliedAcceptanceFrom } from '@ledger/domain';
import { ReadModelQueries } from '@ledger/read-models';
import { minPositionOf, ReadOptions } from '../../http/read-options';
import { ReadModelRoute } from '../../http/routes';
import { ReadYourWrites } from '../../read-side/read-side.module';
import { POLICY_VERSIONS } from '../../http/openapi-views';

@ApiTags('policy')
@Controller('v1')
export class ListPolicyVersionsController {
  constructor(private readonly queries: ReadModelQueries, private readonly readYourWrites: ReadYourWrites) {}

  @ReadModelRoute('policy-versions', 'Published policy versions, with the moment implied acceptance becomes possible (§1.4)', POLICY_VERSIONS, 'service', 'auditor', 'regulator', 'admin')
  async list(@Query() read: ReadOptions) {
    await this.readYourWrites.waitFor(minPositionOf(read));
    const versions = await this.queries.policyVersions();
    return {
      versions: versions.map((v) => ({
        version: v.version,
        textSha256: v.text_sha256,
        publishedAt: v.published_at,
        impliedAcceptanceFrom: impliedAcceptanceFrom(new Date(v.published_at)).toISOString(),
      })),
    };
  }
}
