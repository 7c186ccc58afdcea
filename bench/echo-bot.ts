/**
 * Baseline (a) of the HTTP benchmark: a stock botbuilder echo bot, written the way the Bot Framework
 * samples write it (BotBuilder-Samples 02.echo-bot + the state-management sample): restify,
 * `CloudAdapter` over `ConfigurationBotFrameworkAuthentication`, an `ActivityHandler` with a
 * `ConversationState` counter over `MemoryStorage`, one `echo: <text>` message per turn.
 * Anonymous (no MicrosoftAppId), so `deliveryMode: "expectReplies"` works without a connector.
 *
 *   node bench/echo-bot.js [PORT] [--bare]   (or PORT=… in the environment; 0 = any free port)
 *
 * `--bare`: no Bot Framework and no bot at all — restify answering each activity with the same
 * `echo: <text>` reply. Not a baseline to beat but the ceiling: what this machine serves over HTTP
 * at the same concurrency before any bot work is done.
 *
 * Prints `{"port":N}` on stdout once listening; SIGTERM/SIGINT stop it, after printing what its
 * MemoryStorage holds (`{"stored":{"items":…,"bytes":…,"maxBytes":…}}`).
 */
import restify from 'restify';
import {
  ActivityHandler,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConversationState,
  MemoryStorage,
  MessageFactory,
  type StatePropertyAccessor,
  type TurnContext,
} from 'botbuilder';

class EchoBot extends ActivityHandler {
  private readonly counter: StatePropertyAccessor<number>;

  constructor(private readonly conversationState: ConversationState) {
    super();
    this.counter = conversationState.createProperty<number>('turnCount');
    this.onMessage(async (context, next) => {
      const count = await this.counter.get(context, 0);
      await this.counter.set(context, count + 1);
      const replyText = `echo: ${context.activity.text}`;
      await context.sendActivity(MessageFactory.text(replyText, replyText));
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    // Save any state changes made during the turn (as the samples do).
    await this.conversationState.saveChanges(context, false);
  }
}

const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
adapter.onTurnError = async (context, error) => {
  console.error(`[onTurnError] unhandled error: ${error}`);
  await context.sendActivity('The bot encountered an error or bug.');
};

// MemoryStorage keeps each item as a JSON string in this object; the benchmark reads its size at exit.
const memory: Record<string, string> = {};
const conversationState = new ConversationState(new MemoryStorage(memory));
const bot = new EchoBot(conversationState);

const server = restify.createServer();
server.use(restify.plugins.bodyParser());
const bare = process.argv.includes('--bare');
server.post('/api/messages', async (req: restify.Request, res: restify.Response) => {
  if (bare) {
    const a = req.body as { id?: string; text?: string; conversation: unknown; from: unknown; recipient: unknown; channelId: string; serviceUrl?: string };
    const text = `echo: ${a.text ?? ''}`;
    res.send(200, { activities: [{ type: 'message', text, speak: text, inputHint: 'acceptingInput', channelId: a.channelId, conversation: a.conversation, from: a.recipient, recipient: a.from, replyToId: a.id, serviceUrl: a.serviceUrl }] });
    return;
  }
  await adapter.process(req, res, (context) => bot.run(context));
});

const port = Number(process.argv[2] ?? process.env.PORT ?? 3978);
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  console.log(JSON.stringify({ port: typeof address === 'object' && address ? address.port : port }));
});
const stop = () => {
  // What the bot stored: one ConversationState item per conversation.
  const items = Object.values(memory);
  console.log(JSON.stringify({ stored: { items: items.length, bytes: items.reduce((n, v) => n + Buffer.byteLength(v), 0), maxBytes: Math.max(0, ...items.map((v) => Buffer.byteLength(v))) } }));
  server.close(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
