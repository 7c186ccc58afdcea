/**
 * The HTTP server: restify with botbuilder's CloudAdapter on `POST /api/messages` (the Bot
 * Framework protocol; anonymous without MicrosoftAppId, as the Emulator expects; every request needs
 * a valid channel token when an app id is set), and `GET /healthz`.
 *
 * Errors never leak: the adapter's own 500 body carries `err.message`, so the bot's errors are
 * handled in `onTurnError` (logged with a correlation id, an apology in the customer's language) and
 * anything else becomes a bare `{"error": "internal"}`.
 */
import { randomUUID } from 'node:crypto';
import restify from 'restify';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext } from 'botbuilder';
import type { Runtime } from '../app.js';
import { ReturnsBot } from '../../dialogs/bot.js';

export interface HttpServer {
  server: restify.Server;
  listen: (port: number, host: string) => Promise<{ port: number }>;
  close: () => Promise<void>;
}

export function createHttpServer(runtime: Runtime): HttpServer {
  const { config, logger } = runtime;
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.MicrosoftAppId ?? '',
    MicrosoftAppPassword: config.MicrosoftAppPassword ?? '',
    MicrosoftAppType: config.MicrosoftAppType,
    MicrosoftAppTenantId: config.MicrosoftAppTenantId ?? '',
  });
  const adapter = new CloudAdapter(auth);
  const bot = new ReturnsBot(runtime.service, logger);

  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    const correlationId = (context.turnState.get('correlationId') as string | undefined) ?? randomUUID();
    logger.error({ correlationId, conversationId: context.activity?.conversation?.id, err: { name: error.name, message: error.message, stack: error.stack } }, 'turn failed');
    try {
      await context.sendActivity(bot.apology(context.activity?.locale, correlationId));
    } catch {
      // the channel may be down too; the error is logged
    }
  };

  const server = restify.createServer({ name: 'returnsbot', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: 256 * 1024, mapParams: false }));

  server.post('/api/messages', async (req: restify.Request, res: restify.Response) => {
    const correlationId = randomUUID();
    try {
      await adapter.process(req, res, async (context) => {
        context.turnState.set('correlationId', correlationId);
        await bot.run(context);
      });
    } catch (e) {
      logger.error({ correlationId, err: e instanceof Error ? { name: e.name, message: e.message } : String(e) }, 'request failed');
      if (!res.headersSent) res.send(500, { error: 'internal', correlationId });
    }
  });

  server.get('/healthz', async (_req: restify.Request, res: restify.Response) => {
    const ok = await runtime.store.ping().catch(() => false);
    res.send(ok ? 200 : 503, ok ? { status: 'ok' } : { status: 'unavailable' });
  });

  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const address = server.address();
          resolve({ port: typeof address === 'object' && address ? address.port : port });
        });
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
