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
 * `--directline`: the same echo bot behind Direct Line semantics, as the widget talks to a bot
 * (the subset Web Chat uses, as src/directline serves it): `POST /api/widget/token` → a
 * conversation and its token; `POST /v3/directline/conversations` → its `streamUrl`; the WebSocket
 * stream; `POST /v3/directline/conversations/{id}/activities` → the customer's message echoed on
 * the stream at once (Web Chat's send confirmation), the activity run through the stock bot
 * (`CloudAdapter.process`, `expectReplies`, in-process) and its replies pushed on the stream, then
 * `200 {id}`. A new stream gets a greeting first (as the returns bot greets a new conversation).
 * With `--bare` as well: the same routes with no Bot Framework and no bot (the Direct Line ceiling).
 *
 * Prints `{"port":N}` on stdout once listening; SIGTERM/SIGINT stop it, after printing what its
 * MemoryStorage holds (`{"stored":{"items":…,"bytes":…,"maxBytes":…}}`).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import restify from 'restify';
import { WebSocketServer, type WebSocket } from 'ws';
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication, ConversationState, MemoryStorage, MessageFactory, type StatePropertyAccessor, type TurnContext } from 'botbuilder';

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
    res.send(200, {
      activities: [
        {
          type: 'message',
          text,
          speak: text,
          inputHint: 'acceptingInput',
          channelId: a.channelId,
          conversation: a.conversation,
          from: a.recipient,
          recipient: a.from,
          replyToId: a.id,
          serviceUrl: a.serviceUrl,
        },
      ],
    });
    return;
  }
  await adapter.process(req, res, (context) => bot.run(context));
});

/** Run one activity through the stock bot with `expectReplies`, in-process; its replies. */
async function runBot(activity: Record<string, unknown>): Promise<Record<string, unknown>[]> {
  let body: unknown;
  let status = 0;
  const res = {
    socket: null,
    status: (code: number) => void (status = code),
    header: () => undefined,
    send: (b: unknown) => void (body = b),
    end: () => undefined,
  };
  await adapter.process({ method: 'POST', headers: {}, body: activity }, res, (context) => bot.run(context));
  if (status !== 200) throw new Error(`the bot answered ${status}`);
  return (body as { activities?: Record<string, unknown>[] } | undefined)?.activities ?? [];
}

if (process.argv.includes('--directline')) {
  const sessions = new Map<string, { token: string; socket: WebSocket | null; watermark: number }>();
  const botAccount = { id: 'echo', name: 'Echo', role: 'bot' };
  const bearer = (req: IncomingMessage) => /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
  const sessionOf = (req: IncomingMessage, id: string) => {
    const s = sessions.get(id);
    return s && s.token === bearer(req) ? s : undefined;
  };
  const push = (s: { socket: WebSocket | null; watermark: number }, activities: Record<string, unknown>[], logged: boolean) => {
    if (logged) s.watermark += activities.length;
    s.socket?.send(JSON.stringify(logged ? { activities, watermark: String(s.watermark) } : { activities }));
  };
  server.post('/api/widget/token', async (_req: restify.Request, res: restify.Response) => {
    const conversationId = `dl-${randomUUID()}`;
    const token = randomUUID();
    sessions.set(conversationId, { token, socket: null, watermark: 0 });
    res.send(200, { conversationId, token, expires_in: 1800 });
  });
  server.post('/v3/directline/conversations', async (req: restify.Request, res: restify.Response) => {
    const token = bearer(req);
    const found = [...sessions].find(([, s]) => s.token === token);
    if (!found) return void res.send(403, { error: { code: 'TokenInvalid' } });
    const [conversationId] = found;
    res.send(201, { conversationId, token, expires_in: 1800, streamUrl: `ws://${req.headers.host}/v3/directline/conversations/${conversationId}/stream?t=${token}` });
  });
  server.post('/v3/directline/conversations/:id/activities', async (req: restify.Request, res: restify.Response) => {
    const id = String(req.params.id);
    const s = sessionOf(req, id);
    if (!s) return void res.send(403, { error: { code: 'TokenInvalid' } });
    const a = req.body as { text?: string; locale?: string; from?: { id?: string }; channelData?: unknown };
    const activityId = `${id}|${randomUUID()}`;
    const from = { id: a.from?.id ?? 'user', role: 'user' };
    push(s, [{ type: 'message', id: activityId, from, text: a.text ?? '', channelData: a.channelData, conversation: { id } }], false);
    const text = `echo: ${a.text ?? ''}`;
    const replies = bare
      ? [{ type: 'message', text, speak: text, inputHint: 'acceptingInput', replyToId: activityId }]
      : await runBot({
          type: 'message',
          id: activityId,
          channelId: 'directline',
          serviceUrl: 'http://127.0.0.1:9',
          deliveryMode: 'expectReplies',
          locale: a.locale,
          from,
          recipient: botAccount,
          conversation: { id },
          text: a.text ?? '',
        });
    push(
      s,
      replies.map((r, i) => ({ ...r, id: `${id}|${s.watermark + i + 1}`, from: botAccount, conversation: { id } })),
      true,
    );
    res.send(200, { id: activityId });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const id = decodeURIComponent(/^\/v3\/directline\/conversations\/([^/]+)\/stream$/.exec(url.pathname)?.[1] ?? '');
    const s = sessions.get(id);
    if (!s || s.token !== url.searchParams.get('t')) return void socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      s.socket = ws;
      ws.on('close', () => sessions.delete(id));
      push(s, [{ type: 'message', id: `${id}|1`, from: botAccount, text: 'echo: hello', conversation: { id } }], true);
    });
  });
}

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
