import { Body, Controller, Param } from '@nestjs/common';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { Command, type CommandContext } from '../../http/command-context';
import { CommandRoute } from '../../http/routes';
import { LedgerIdPipe, OpaqueIdPipe } from '../../http/validation';
import { IsSlug } from '../../http/validators';
import { commandResponse } from '../../http/views';
import { SubjectCommands } from '../subject-commands';

/** A downstream system confirms its own deletion of the subject's data (§2.10, §3.3). */
export class AcknowledgeErasureRequest {
  @ApiProperty({ example: 'crm', description: 'the confirming system: an internal system or a recipient id' })
  @IsSlug()
  system!: string;
}

@ApiTags('subjects')
@Controller('v1/subjects/:subjectId')
export class AcknowledgeErasureController {
  constructor(private readonly subjects: SubjectCommands) {}

  /** A repeat of the same acknowledgement is recorded once (the answer lists no new event). */
  @CommandRoute('erasures/:erasureId/acknowledgements', 'Record that a system deleted the subject\'s data; completes the erasure when all have (§2.10)', 'service')
  async acknowledge(
    @Param('subjectId', OpaqueIdPipe) subjectId: string,
    @Param('erasureId', LedgerIdPipe) erasureId: string,
    @Body() body: AcknowledgeErasureRequest,
    @Command() ctx: CommandContext,
  ) {
    return commandResponse(await this.subjects.run(subjectId, ctx, (now) => ({
      type: 'AcknowledgeErasure', now, data: { erasureId, system: body.system },
    })));
  }
}
