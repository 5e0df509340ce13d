import { Body, Controller, Param } from '@nestjs/common';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsISO8601 } from 'class-validator';
import { Command, type CommandContext } from '../../http/command-context';
import { CommandRoute } from '../../http/routes';
import { OpaqueIdPipe } from '../../http/validation';
import { commandResponse } from '../../http/views';
import { ReferenceData } from '../../infrastructure/repositories';
import { SubjectCommands } from '../subject-commands';

/** §1.4 — when the subject was seen using the Platform (a sign-in, say). */
export class ReportPlatformUseRequest {
  @ApiProperty({ example: '2026-11-25T09:00:00Z' }) @IsISO8601({ strict: true, strictSeparator: true }) at!: string;
}

@ApiTags('subjects')
@Controller('v1/subjects/:subjectId')
export class ReportPlatformUseController {
  constructor(private readonly subjects: SubjectCommands, private readonly reference: ReferenceData) {}

  /**
   * Records implied acceptance (§1.4) of every version whose 7 days had passed by `at`
   * and that the subject has not accepted; otherwise writes nothing (the answer lists no
   * event). Report use as often as convenient: it costs an event only when it counts.
   */
  @CommandRoute('platform-use', 'Report continued use; records implied acceptance of pending policy versions (§1.4)', 'service')
  async report(@Param('subjectId', OpaqueIdPipe) subjectId: string, @Body() body: ReportPlatformUseRequest, @Command() ctx: CommandContext) {
    const { versions } = await this.reference.policy();
    return commandResponse(await this.subjects.run(subjectId, ctx, (now) => ({
      type: 'ReportPlatformUse', now, data: { at: new Date(body.at), published: versions },
    })));
  }
}
