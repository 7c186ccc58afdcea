/**
 * Configuration: every setting comes from the environment, is validated here once, at start, and
 * is passed down from the composition root. Nothing else reads `process.env`. A bad value stops
 * the start with one line per problem naming the variable.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { isLocalDate, isTimeZone } from './policy/calendar.js';
import { parseWith, ValidationError } from './validation.js';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' }).transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce.number({ error: 'expected a port number' }).int().min(0).max(65535);
const optionalString = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

/** Blank counts as unset (as with `optionalString`); otherwise the value must pass `schema`. */
const optionalOf = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());
const httpsUrl = z.url({ protocol: /^https$/, error: 'expected an https URL, e.g. https://bot.example.com' });
const guid = z.guid({ error: 'expected a GUID like 00000000-0000-0000-0000-000000000000' });

/** The Teams app package (`returnsbot manifest`): the bot's public address and the app's identity. */
export const teamsEnvShape = {
  RETURNS_PUBLIC_URL: optionalOf(httpsUrl),
  TEAMS_APP_ID: optionalOf(guid),
  TEAMS_APP_VERSION: optionalOf(z.string().regex(/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/, { error: 'expected a version MAJOR.MINOR.PATCH, e.g. 1.0.0' })),
  TEAMS_DEVELOPER_NAME: optionalOf(z.string().trim().max(32, { error: 'expected at most 32 characters' })),
  TEAMS_WEBSITE_URL: optionalOf(httpsUrl),
  TEAMS_PRIVACY_URL: optionalOf(httpsUrl),
  TEAMS_TERMS_URL: optionalOf(httpsUrl),
};

/** The scheme of a URL (`postgres:`), or null when it is not one. For DATABASE_URL: when set, the bot uses PostgreSQL instead of SQLite. */
function urlScheme(value: string): string | null {
  try {
    return new URL(value).protocol;
  } catch {
    return null;
  }
}

export const envSchema = z
  .object({
    ...teamsEnvShape,
    PORT: port.default(3978),
    HOST: optionalString,
    RETURNS_DATA_DIR: z.string().min(1).default('./data'),
    DATABASE_URL: optionalString.superRefine((v, ctx) => {
      if (v === undefined || urlScheme(v) === 'postgres:' || urlScheme(v) === 'postgresql:') return;
      // Never echo the value: it may hold a password.
      ctx.addIssue({
        code: 'custom',
        message: 'expected a postgres:// or postgresql:// URL, e.g. postgres://user:password@localhost:5432/returns',
        input: urlScheme(v) ? `${urlScheme(v)}//…` : '(not a URL)',
      });
    }),
    RETURNS_SQLITE_BINDING: z.enum(['auto', 'better-sqlite3', 'libsql'], { error: 'expected auto, better-sqlite3 (Node 22 or later) or libsql' }).default('auto'),
    RETURNS_TODAY: z.string().refine(isLocalDate, { error: 'expected a date YYYY-MM-DD' }).optional(),
    RETURNS_DEFAULT_POLICY: z.string().min(1).default('uk-online'),
    RETURNS_DEMO_ORDERS: bool.default(true),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_FORMAT: z.enum(['auto', 'json', 'pretty'], { error: 'expected auto (readable on a terminal, JSON otherwise), json or pretty' }).default('auto'),
    RETURNS_PACKS_DIR: optionalString,
    RETURNS_WORKERS: z.union([z.literal('auto'), z.coerce.number().int().min(1).max(64)], { error: 'expected a number of worker processes, or auto (one per CPU)' }).default(1),
    RETURNS_TOKEN_SECRET: z.string().min(32, { error: 'expected at least 32 characters' }).optional(),
    DIRECTLINE_SECRET: z.string().min(16, { error: 'expected at least 16 characters' }).optional(),
    DIRECTLINE_TOKEN_TTL_SECONDS: z.coerce.number({ error: 'expected a number of seconds' }).int().min(60).max(86_400).default(1800),
    RETURNS_ALLOWED_ORIGINS: z
      .string()
      .default('')
      .transform((s) =>
        s
          .split(',')
          .map((o) => o.trim().replace(/\/$/, ''))
          .filter(Boolean),
      )
      .refine((list) => list.every((o) => o === '*' || /^https?:\/\/[^/\s]+$/.test(o)), { error: 'expected a comma-separated list of origins like https://shop.example.com' }),
    RETURNS_MAX_UPLOAD_BYTES: z.coerce
      .number({ error: 'expected a size in bytes' })
      .int()
      .min(1024)
      .max(50 * 1024 * 1024)
      .default(5 * 1024 * 1024),
    RETURNS_MAX_UPLOAD_FILES: z.coerce.number({ error: 'expected a number of files' }).int().min(1).max(20).default(4),
    RETURNS_MAX_UPLOADS_PER_CONVERSATION: z.coerce.number({ error: 'expected a number of photos' }).int().min(1).max(1000).default(20),
    RETURNS_TRUST_PROXY: bool.default(false),
    WIDGET_TOKENS_PER_MINUTE: z.coerce.number({ error: 'expected a number per minute' }).int().min(0).max(100_000).default(30),
    HANDOFF_MODE: z.enum(['console', 'event'], { error: 'expected console (our staff console and API) or event (handoff.initiate to a contact centre)' }).default('console'),
    SUPPORT_HOURS: optionalString,
    SUPPORT_TIMEZONE: optionalString.refine((z) => z === undefined || isTimeZone(z), { error: 'expected an IANA time zone like Europe/London' }),
    SUPPORT_MINUTES_PER_CHAT: z.coerce.number({ error: 'expected a number of minutes' }).int().min(1).max(240).default(5),
    RETURNS_STAFF: z
      .string()
      .default('')
      .transform((s) =>
        s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
          .map((x) => {
            const [id, ...name] = x.split('=');
            return { id: (id ?? '').trim(), name: name.join('=').trim() || (id ?? '').trim() };
          }),
      )
      .refine((list) => list.every((s) => /^[\w.-]+:\S+$/.test(s.id)), { error: 'expected channel:userId=Name entries separated by commas, e.g. msteams:29:1a2b=Alex' }),
    RATE_LIMIT_PER_MINUTE: z.coerce.number({ error: 'expected a number of messages per minute (0 turns the limit off)' }).int().min(0).max(100_000).default(60),
    RATE_LIMIT_BURST: z.coerce.number({ error: 'expected a number of messages' }).int().min(1).max(10_000).default(20),
    RATE_LIMIT_NEW_CONVERSATIONS_PER_MINUTE: z.coerce.number({ error: 'expected a number of conversations per minute (0 turns the limit off)' }).int().min(0).max(100_000).default(120),
    RETURNS_PROOF_ATTEMPTS_PER_ORDER: z.coerce.number({ error: 'expected a number of attempts' }).int().min(1).max(100).default(5),
    RETURNS_PROOF_ATTEMPTS_PER_CONVERSATION: z.coerce.number({ error: 'expected a number of attempts' }).int().min(1).max(100).default(5),
    RETURNS_PROOF_LOCK_MINUTES: z.coerce
      .number({ error: 'expected a number of minutes' })
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .default(15),
    RETURNS_UPLOAD_BYTES_PER_ADDRESS_PER_HOUR: z.coerce
      .number({ error: 'expected a size in bytes' })
      .int()
      .min(1024)
      .max(100 * 1024 ** 3)
      .default(50 * 1024 * 1024),
    RETURNS_UPLOAD_BYTES_TOTAL: z.coerce
      .number({ error: 'expected a size in bytes' })
      .int()
      .min(1024)
      .max(10 * 1024 ** 4)
      .default(2 * 1024 ** 3),
    STAFF_LOGIN_ATTEMPTS_PER_MINUTE: z.coerce.number({ error: 'expected a number of attempts per minute (0 turns the limit off)' }).int().min(0).max(10_000).default(10),
    MAX_BODY_BYTES: z.coerce
      .number({ error: 'expected a size in bytes' })
      .int()
      .min(1024)
      .max(50 * 1024 * 1024)
      .default(256 * 1024),
    METRICS_TOKEN: optionalString,
    MicrosoftAppId: optionalString,
    MicrosoftAppPassword: optionalString,
    MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
    MicrosoftAppTenantId: optionalString,
  })
  .superRefine((env, ctx) => {
    if (env.MicrosoftAppId && !env.MicrosoftAppPassword && env.MicrosoftAppType !== 'UserAssignedMSI') {
      ctx.addIssue({ code: 'custom', path: ['MicrosoftAppPassword'], message: 'expected a value when MicrosoftAppId is set', input: undefined });
    }
    if (env.MicrosoftAppType === 'SingleTenant' && !env.MicrosoftAppTenantId) {
      ctx.addIssue({ code: 'custom', path: ['MicrosoftAppTenantId'], message: 'expected the tenant id when MicrosoftAppType is SingleTenant', input: undefined });
    }
  });

export type Env = z.output<typeof envSchema>;

const SECRETS = new Set(['MicrosoftAppPassword', 'RETURNS_TOKEN_SECRET', 'DIRECTLINE_SECRET', 'METRICS_TOKEN', 'DATABASE_URL']);

export interface Config extends Omit<Env, 'RETURNS_WORKERS'> {
  /** Worker processes serving HTTP (RETURNS_WORKERS; `auto` resolved to the CPU count). */
  RETURNS_WORKERS: number;
  /** Where to listen: HOST, else all interfaces when authenticated, else loopback only. */
  listenHost: string;
  /** True when no Microsoft app id is set: the bot accepts unauthenticated requests (Emulator, tests). */
  anonymous: boolean;
}

/** Read and validate the configuration; throws ValidationError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = parseWith(envSchema, env, '');
  if (!parsed.ok) {
    // A secret is named, never shown.
    throw new ValidationError(parsed.problems.map((p) => (SECRETS.has(p.path) ? { ...p, message: p.message.replace(/, got .*$/, '') } : p)));
  }
  const value = parsed.value;
  const anonymous = !value.MicrosoftAppId;
  const workers = value.RETURNS_WORKERS === 'auto' ? availableParallelism() : value.RETURNS_WORKERS;
  return Object.freeze({ ...value, RETURNS_WORKERS: workers, anonymous, listenHost: value.HOST ?? (anonymous ? '127.0.0.1' : '0.0.0.0') });
}

/** What `returnsbot manifest` reads: the app id (a GUID here) and the Teams settings, nothing the server needs. */
export const teamsEnvSchema = z.object({ MicrosoftAppId: optionalOf(guid), ...teamsEnvShape });
export type TeamsEnv = z.output<typeof teamsEnvSchema>;

/** Read and validate the Teams package settings; throws ValidationError naming each bad variable. */
export function loadTeamsConfig(env: Record<string, string | undefined>): TeamsEnv {
  const parsed = parseWith(teamsEnvSchema, env, '');
  if (!parsed.ok) throw new ValidationError(parsed.problems);
  return parsed.value;
}
