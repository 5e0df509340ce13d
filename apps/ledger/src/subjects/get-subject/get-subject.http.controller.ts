import { Controller, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../../http/auth';
import { ReadModelRoute } from '../../http/routes';
import { minPositionOf, ReadOptions } from '../../http/read-options';
import { OpaqueIdPipe } from '../../http/validation';
import { GetSubjectQuery } from './get-subject.query';
import { SUBJECT_VIEW } from '../../http/openapi-views';

@ApiTags('subjects')
@Controller('v1/subjects/:subjectId')
export class GetSubjectController {
  constructor(private readonly queries: QueryBus) {}

  @ReadModelRoute('', 'Current state: consents per purpose, restriction, agreement, open erasure and due date', SUBJECT_VIEW, 'service', 'auditor')
  get(@Param('subjectId', OpaqueIdPipe) subjectId: string, @Query() read: ReadOptions, @CurrentPrincipal() principal: Principal) {
    return this.queries.execute(new GetSubjectQuery(subjectId, principal, minPositionOf(read)));
  }
}
