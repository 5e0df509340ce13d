import { Body, Controller, Inject, Param } from '@nestjs/common';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { PURPOSES, type Purpose } from '@ledger/domain';
import { Command, type CommandContext } from '../../http/command-context';
import { CommandRoute } from '../../http/routes';
import { OpaqueIdPipe } from '../../http/validation';
import { IsLocalDate } from '../../http/validators';
import { commandResponse } from '../../http/views';
import { ID_GENERATOR, type IdGenerator } from '../../infrastructure/clock';
import { SubjectCommands } from '../subject-commands';

/** §2.10 — the storage period ends on the date the purpose was achieved. */
export class RecordPurposeAchievedRequest {
  @ApiProperty({ enum: PURPOSES }) @IsIn(PURPOSES) purpose!: Purpose;
  @ApiProperty({ example: '2026-11-25' }) @IsLocalDate() achievedOn!: string;
}

@ApiTags('subjects')
@Controller('v1/subjects/:subjectId')
export class RecordPurposeAchievedController {
  constructor(private readonly subjects: SubjectCommands, @Inject(ID_GENERATOR) private readonly ids: IdGenerator) {}

  @CommandRoute('purpose-achievements', 'Record that a purpose was achieved; schedules erasure when no basis remains (§2.10)', 'service')
  async record(@Param('subjectId', OpaqueIdPipe) subjectId: string, @Body() body: RecordPurposeAchievedRequest, @Command() ctx: CommandContext) {
    return commandResponse(await this.subjects.run(subjectId, ctx, (now) => ({
      type: 'RecordPurposeAchieved', now, data: { purpose: body.purpose, achievedOn: body.achievedOn, erasureId: this.ids.next() },
    })));
  }
}
