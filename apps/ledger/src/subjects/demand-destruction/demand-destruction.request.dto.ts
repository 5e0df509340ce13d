import { ApiProperty } from '@nestjs/swagger';
import { IsLocalDate } from '../../http/validators';

/**
 * §2.5 — the subject demands the destruction of their data as processed in violation of
 * the law (written application). Full destruction: the data key is per subject.
 */
export class DemandDestructionRequest {
  @ApiProperty({ example: '2026-11-25', description: 'the day the application was received (Kazakhstan date, not in the future); destruction is due 30 working days after it (§2.10)' })
  @IsLocalDate()
  receivedOn!: string;
}
