import { Body, Controller, Param } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { Command, type CommandContext } from '../../http/command-context';
import { CommandRoute } from '../../http/routes';
import { OpaqueIdPipe } from '../../http/validation';
import { commandResponse } from '../../http/views';
import { DemandDestructionCommand } from './demand-destruction.handler';
import { DemandDestructionRequest } from './demand-destruction.request.dto';

@ApiTags('subjects')
@Controller('v1/subjects/:subjectId')
export class DemandDestructionController {
  constructor(private readonly commands: CommandBus) {}

  @CommandRoute(
    'destruction-demands',
    'Demand destruction of data processed in violation of the law; due 30 working days after receipt, cancelled by nothing (§2.5, §2.10)',
    'service',
  )
  async demand(@Param('subjectId', OpaqueIdPipe) subjectId: string, @Body() body: DemandDestructionRequest, @Command() ctx: CommandContext) {
    return commandResponse(await this.commands.execute(new DemandDestructionCommand(subjectId, body, ctx)));
  }
}
