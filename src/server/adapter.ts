/**
 * The Bot Framework adapter, without the per-turn waste.
 *
 * The stock `CloudAdapter` builds a new connector client (a whole HTTP pipeline with its credential
 * provider) and a new user-token client on every turn, even when the turn's replies go back in the
 * HTTP response (`expectReplies`) and nothing is ever sent. Here authentication is unchanged —
 * botbuilder's own `ConfigurationBotFrameworkAuthentication` checks every request's channel token
 * when an app id is configured — but the clients it creates are reused across turns: one connector
 * client per (bot app id, service URL, audience), one user-token client per app id, built only when
 * a turn actually needs one. The protocol on the wire is exactly the same.
 *
 * Errors: `CloudAdapter.process` answers 500 with `err.message` in the body; here the caller
 * (src/server/http.ts) maps failures to bodies that say nothing internal.
 */
import {
  AuthenticationConstants,
  BotFrameworkAuthentication,
  type AuthenticateRequestResult,
  type ClaimsIdentity,
  type ConnectorClient,
  type ConnectorFactory,
  type UserTokenClient,
} from 'botframework-connector';
import { CloudAdapter, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';

type Lazy<T> = () => Promise<T>;

/** A connector factory that hands out one client per (service URL, audience) for an app id. */
class ReusingConnectorFactory implements ConnectorFactory {
  constructor(
    private readonly inner: ConnectorFactory,
    private readonly cache: Map<string, Promise<ConnectorClient>>,
    private readonly appId: string,
  ) {}

  create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    const key = `${this.appId}\u0000${serviceUrl}\u0000${audience ?? ''}`;
    let client = this.cache.get(key);
    if (!client) {
      client = this.inner.create(serviceUrl, audience);
      client.catch(() => this.cache.delete(key));
      if (this.cache.size > 1000) this.cache.clear();
      this.cache.set(key, client);
    }
    return client;
  }
}

function appIdOf(claims: ClaimsIdentity): string {
  return claims.getClaimValue(AuthenticationConstants.AudienceClaim) ?? claims.getClaimValue(AuthenticationConstants.AppIdClaim) ?? '';
}

/**
 * Delegates every check to the configured authentication, and reuses what it creates.
 */
export class ReusingAuthentication extends BotFrameworkAuthentication {
  private readonly connectors = new Map<string, Promise<ConnectorClient>>();
  private readonly factories = new Map<string, ConnectorFactory>();
  private readonly tokenClients = new Map<string, Promise<UserTokenClient>>();

  constructor(private readonly inner: BotFrameworkAuthentication) {
    super();
  }

  private reuse(factory: ConnectorFactory | undefined, claims: ClaimsIdentity): ConnectorFactory | undefined {
    if (!factory) return factory;
    return new ReusingConnectorFactory(factory, this.connectors, appIdOf(claims));
  }

  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    const result = await this.inner.authenticateRequest(activity, authHeader);
    return { ...result, connectorFactory: this.reuse(result.connectorFactory, result.claimsIdentity) };
  }

  override async authenticateStreamingRequest(authHeader: string, channelIdHeader: string): Promise<AuthenticateRequestResult> {
    const result = await this.inner.authenticateStreamingRequest(authHeader, channelIdHeader);
    return { ...result, connectorFactory: this.reuse(result.connectorFactory, result.claimsIdentity) };
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    const appId = appIdOf(claimsIdentity);
    let factory = this.factories.get(appId);
    if (!factory) {
      factory = new ReusingConnectorFactory(this.inner.createConnectorFactory(claimsIdentity), this.connectors, appId);
      this.factories.set(appId, factory);
    }
    return factory;
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    const appId = appIdOf(claimsIdentity);
    let client = this.tokenClients.get(appId);
    if (!client) {
      const lazy: Lazy<UserTokenClient> = () => this.inner.createUserTokenClient(claimsIdentity);
      client = lazy();
      client.catch(() => this.tokenClients.delete(appId));
      this.tokenClients.set(appId, client);
    }
    return client;
  }

  override createBotFrameworkClient() {
    return this.inner.createBotFrameworkClient();
  }

  override getOriginatingAudience(): string {
    return this.inner.getOriginatingAudience();
  }

  override authenticateChannelRequest(authHeader: string): Promise<ClaimsIdentity> {
    return this.inner.authenticateChannelRequest(authHeader);
  }
}

/**
 * A CloudAdapter over authentication that reuses its clients across turns, with `handle` to run an
 * activity the HTTP layer has already parsed and checked (so the adapter's own request handling —
 * which logs errors with `console.error` and puts `err.message` in 500 bodies — is not used).
 */
export class ReturnsAdapter extends CloudAdapter {
  constructor(auth: BotFrameworkAuthentication) {
    super(new ReusingAuthentication(auth));
  }

  /** Authenticate and run one activity; resolves to the invoke response (expectReplies: the replies). */
  handle(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    for (const key of ['timestamp', 'localTimestamp', 'expiration'] as const) {
      const v = (activity as unknown as Record<string, unknown>)[key];
      if (typeof v === 'string') {
        (activity as unknown as Record<string, unknown>)[`raw${key[0]!.toUpperCase()}${key.slice(1)}`] = v;
        (activity as unknown as Record<string, unknown>)[key] = new Date(v);
      }
    }
    return this.processActivity(authHeader, activity, logic);
  }
}

export function createAdapter(auth: BotFrameworkAuthentication): ReturnsAdapter {
  return new ReturnsAdapter(auth);
}
