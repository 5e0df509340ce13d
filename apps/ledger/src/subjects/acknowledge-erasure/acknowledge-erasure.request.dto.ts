import { ApiProperty } from '@nestjs/swagger';
import { IsErasureSystem } from '../../http/validators';

/** A downstream system confirms its own deletion of the subject's data (§2.10, §3.3). */
export class AcknowledgeErasureRequest {
  @ApiProperty({ example: 'crm', description: 'the confirming system: an internal system or a recipient id' })
  @IsErasureSystem()
  system!: string;
}
