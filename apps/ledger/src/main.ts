import 'reflect-metadata';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config/ledger.config';
import { createRootLogger } from './infrastructure/logger';

async function main(): Promise<void> {
  const logger = createRootLogger(process.env.LOG_LEVEL ?? 'info');
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.fatal(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  if (config.apiKeysFile) {
    logger.warn(`no LEDGER_API_KEYS set: generated one key per role in ${config.apiKeysFile} (embedded default only)`);
  }
  const app = await createApp({ config, logger });
  await app.listen({ host: config.host, port: config.port });
  logger.info({ url: `http://${config.host}:${config.port}`, dataDir: config.dataDir }, 'privacy ledger listening; OpenAPI at /docs');
}

void main();
