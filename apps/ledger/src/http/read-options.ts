import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

/** Read-your-writes: the global position a command answered with. */
export class ReadOptions {
  @ApiPropertyOptional({ description: 'wait until the read models include this global position (from a command response); past the event store\'s head, 400 POSITION_NOT_WRITTEN', example: '42' })
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: 'minPosition must be a global position' })
  minPosition?: string;
}

export const minPositionOf = (o: { minPosition?: string }) => (o.minPosition === undefined ? undefined : BigInt(o.minPosition));
