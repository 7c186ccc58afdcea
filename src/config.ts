/**
 * Configuration: every setting comes from the environment, is validated here once, at start, and
 * is passed down from the composition root. Nothing else reads `process.env`. A bad value stops
 * the start with one line per problem naming the variable.
 */
import { z } from 'zod';
import { isLocalDate } from './policy/calendar.js';
import { parseWith, ValidationError } from './validation.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce.number({ error: 'expected a port number' }).int().min(0).max(65535);
const optionalString = z.string().trim().optional().transform((v) => (v ? v : undefined));

export const envSchema = z
  .object({
    PORT: port.default(3978),
    HOST: optionalString,
    RETURNS_DATA_DIR: z.string().min(1).default('./data'),
    RETURNS_TODAY: z.string().refine(isLocalDate, { error: 'expected a date YYYY-MM-DD' }).optional(),
    RETURNS_DEFAULT_POLICY: z.string().min(1).default('uk-online'),
    RETURNS_DEMO_ORDERS: bool.default(true),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
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

export interface Config extends Env {
  /** Where to listen: HOST, else all interfaces when authenticated, else loopback only. */
  listenHost: string;
  /** True when no Microsoft app id is set: the bot accepts unauthenticated requests (Emulator, tests). */
  anonymous: boolean;
}

/** Read and validate the configuration; throws ValidationError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = parseWith(envSchema, env, '');
  if (!parsed.ok) throw new ValidationError(parsed.problems);
  const value = parsed.value;
  const anonymous = !value.MicrosoftAppId;
  return Object.freeze({ ...value, anonymous, listenHost: value.HOST ?? (anonymous ? '127.0.0.1' : '0.0.0.0') });
}
