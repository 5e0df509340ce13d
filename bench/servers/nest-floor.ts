/**
 * The framework floor: Nest on Fastify with the ledger's global ValidationPipe and the
 * grant-consent DTO, answering 201 without doing any ledger work. The distance from the
 * bare Fastify route to this is what the mandated stack costs before the ledger starts.
 */
import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ledgerValidationPipe } from '../../apps/ledger/src/http/validation';
import { GrantConsentRequest } from '../../apps/ledger/src/subjects/grant-consent/grant-consent.request.dto';

@Controller()
class FloorController {
  @Post('v1/subjects/:subjectId/consents')
  @HttpCode(201)
  grant(@Body() body: GrantConsentRequest) {
    return { received: body.purposes.length };
  }
}

@Module({ controllers: [FloorController] })
class FloorModule {}

void (async () => {
  const app = await NestFactory.create<NestFastifyApplication>(FloorModule, new FastifyAdapter(), { logger: false });
  app.useGlobalPipes(ledgerValidationPipe());
  await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
  process.send?.('ready');
})();
