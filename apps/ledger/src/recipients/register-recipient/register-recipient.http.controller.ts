import { Body, Controller, Param } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { Command, type CommandContext } from '../../http/command-context';
import { CommandRoute } from '../../http/routes';
import { OpaqueIdPipe, ReferencePipe } from '../../http/validation';
import { commandResponse } from '../../http/views';
import { RecipientCommandEnvelope } from './register-recipient.handler';
import {
  EndConfidentialityAgreementRequest, RecordConfidentialityAgreementRequest, RegisterRecipientRequest,
} from './register-recipient.request.dto';


@ApiTags('recipients')
@Controller('v1/recipients')
export class RecipientRegisterController {
  constructor(private readonly commands: CommandBus) {}

  @CommandRoute('', 'Register a third-party recipient (§2.2, §3.1)', 'admin')
  async register(@Body() body: RegisterRecipientRequest, @Command() ctx: CommandContext) {
    return commandResponse(await this.commands.execute(RecipientCommandEnvelope.register(body, ctx)));
  }

  @CommandRoute(':recipientId/confidentiality-agreements', 'Record a confidentiality agreement (§4.4)', 'admin')
  async recordAgreement(
    @Param('recipientId', OpaqueIdPipe) recipientId: string,
    @Body() body: RecordConfidentialityAgreementRequest,
    @Command() ctx: CommandContext,
  ) {
    return commandResponse(await this.commands.execute(RecipientCommandEnvelope.recordAgreement(recipientId, body, ctx)));
  }

  @CommandRoute(':recipientId/confidentiality-agreements/:reference/end', 'End a confidentiality agreement (§4.4)', 'admin')
  async endAgreement(
    @Param('recipientId', OpaqueIdPipe) recipientId: string,
    @Param('reference', ReferencePipe) reference: string,
    @Body() body: EndConfidentialityAgreementRequest,
    @Command() ctx: CommandContext,
  ) {
    return commandResponse(await this.commands.execute(RecipientCommandEnvelope.endAgreement(recipientId, reference, body, ctx)));
  }
}
