import 'reflect-metadata';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config/ledger.config';
import { createRootLogger, loggableError } from './infrastructure/logger';
import { storageFailure } from './infrastructure/storage-failure';
import { shutDown } from './health/shutdown';

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
  let app;
  try {
    app = await createApp({ config, logger });
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    if (error instanceof ConfigError) { // e.g. a key vault no configured KEK opens
      logger.fatal(error.message);
      process.exit(78); // EX_CONFIG
    }
    // One JSON line like every other, by name, code and frames (not the raw stack Node
    // would print): e.g. PostgreSQL unreachable at start, ECONNREFUSED.
    logger.fatal({ err: loggableError(error, storageFailure(error) ?? (error as { code?: string })?.code) }, 'the ledger could not start');
    process.exit(1);
  }
  logger.info({ url: `http://${config.host}:${config.port}`, dataDir: config.dataDir }, 'privacy ledger listening; OpenAPI at /docs');
  // once each: a second signal during shutdown ends the process at once (the default action)
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      shutDown(app, logger, config.shutdownGraceMs, signal).then(
        () => process.exit(0),
        (error: unknown) => {
          logger.fatal({ err: loggableError(error) }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

void main();
