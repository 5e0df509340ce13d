import { Controller } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { impliedAcceptanceFrom } from '@ledger/domain';
import { QueryRoute } from '../../http/routes';
import { ReferenceData } from '../../infrastructure/repositories';

@ApiTags('policy')
@Controller('v1')
export class ListPolicyVersionsController {
  constructor(private readonly reference: ReferenceData) {}

  @QueryRoute('policy-versions', 'Published policy versions, with the moment implied acceptance becomes possible (§1.4)', 'service', 'auditor', 'regulator', 'admin')
  async list() {
    const { versions } = await this.reference.policy();
    return {
      versions: versions.map((v) => ({ ...v, impliedAcceptanceFrom: impliedAcceptanceFrom(new Date(v.publishedAt)).toISOString() })),
    };
  }
}
