import { Controller, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../../http/auth';
import { QueryRoute } from '../../http/routes';
import { OpaqueIdPipe } from '../../http/validation';
import { GetSubjectHistoryQuery, HistoryPage } from './get-subject-history.query';
import { SUBJECT_HISTORY } from '../../http/openapi-views';

@ApiTags('subjects')
@Controller('v1/subjects/:subjectId')
export class GetSubjectHistoryController {
  constructor(private readonly queries: QueryBus) {}

  @QueryRoute('history', 'The event history with chain hashes; personal data only for roles allowed to see it', SUBJECT_HISTORY, 'service', 'auditor')
  history(@Param('subjectId', OpaqueIdPipe) subjectId: string, @Query() page: HistoryPage, @CurrentPrincipal() principal: Principal) {
    return this.queries.execute(new GetSubjectHistoryQuery(subjectId, page, principal));
  }
}
