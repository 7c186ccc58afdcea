/**
 * What the command line prints when something fails that is not the user's input: the whole
 * message and every cause under it (never a stack trace), then, for failures people can fix, a
 * hint saying how (a native module built for another Node, a port in use, a folder that cannot be
 * written, a database that is not there).
 */
import { basename } from 'node:path';

/** NODE_MODULE_VERSION (the ABI of native modules) → Node.js major version. */
const NODE_ABI: Record<string, string> = { '108': '18', '111': '19', '115': '20', '120': '21', '127': '22', '131': '23', '137': '24', '141': '25' };
const nodeOfAbi = (abi: string) => (NODE_ABI[abi] ? `Node ${NODE_ABI[abi]}` : `a Node with NODE_MODULE_VERSION ${abi}`);

interface ErrorLike {
  message?: unknown;
  code?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** The error and its causes, outermost first (AggregateError's inner errors count as causes). */
function chain(error: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  const queue: unknown[] = [error];
  while (queue.length && out.length < 10) {
    const e = queue.shift();
    if (e === undefined || e === null) continue;
    const like: ErrorLike = typeof e === 'object' ? (e as ErrorLike) : { message: String(e) };
    out.push(like);
    if (like.cause !== undefined) queue.push(like.cause);
    if (Array.isArray(like.errors)) queue.push(...like.errors);
  }
  return out;
}

function messageOf(e: ErrorLike): string {
  const text = typeof e.message === 'string' && e.message ? e.message : String(e);
  const code = typeof e.code === 'string' && !text.includes(e.code) ? ` [${e.code}]` : '';
  return `${text}${code}`;
}

/** The package a native module file belongs to (`…/node_modules/better-sqlite3/build/x.node` → better-sqlite3). */
function packageOf(path: string): string {
  const parts = path.split(/[\\/]/);
  const i = parts.lastIndexOf('node_modules');
  if (i < 0 || !parts[i + 1]) return basename(path);
  return parts[i + 1]!.startsWith('@') ? `${parts[i + 1]}/${parts[i + 2] ?? ''}` : parts[i + 1]!;
}

/** How to fix what went wrong, when it is something people can fix; null otherwise. */
export function hintFor(error: unknown, context: { port?: number; host?: string; dataDir?: string } = {}): string | null {
  for (const e of chain(error)) {
    const text = messageOf(e);
    const abi = /The module '([^']+)'\s+was compiled against a different Node\.js version using\s+NODE_MODULE_VERSION (\d+)\. This version of Node\.js requires\s+NODE_MODULE_VERSION (\d+)/.exec(text);
    if (abi) {
      const pkg = packageOf(abi[1]!);
      return (
        `the native module ${pkg} was built for ${nodeOfAbi(abi[2]!)}, and this is Node ${process.versions.node} (NODE_MODULE_VERSION ${abi[3]}): ` +
        `rebuild it with this Node (\`npm rebuild ${pkg}\`, or \`npm ci\`), or run the Node it was built for`
      );
    }
    if (e.code === 'ERR_DLOPEN_FAILED' || /\.node\b.*(cannot open shared object|invalid ELF|wrong ELF class|GLIBC)/.test(text)) {
      const file = /(\/[^\s:']+\.node)/.exec(text)?.[1];
      return (
        `a native module${file ? ` (${packageOf(file)})` : ''} could not be loaded on ${process.platform}-${process.arch} with Node ${process.versions.node}: ` +
        'reinstall the dependencies on this machine with this Node (`npm ci`)'
      );
    }
    if (e.code === 'EADDRINUSE') return `port ${context.port ?? '?'} on ${context.host ?? 'this machine'} is already in use: stop the other server, or choose another port with PORT=…`;
    if (e.code === 'EADDRNOTAVAIL') return `this machine has no address ${context.host ?? ''}: set HOST to one of its addresses (or leave it unset)`;
    if (e.code === 'EACCES' && /listen/.test(text)) return `port ${context.port ?? '?'} needs more privileges: use a port above 1024 (PORT=3978), behind a proxy for 80/443`;
    if (e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EROFS' || /SQLITE_CANTOPEN|SQLITE_READONLY|unable to open database|readonly database/.test(text)) {
      return `the store's folder${context.dataDir ? ` (${context.dataDir})` : ''} must be writable by this user: fix its permissions, or set RETURNS_DATA_DIR to a folder that is`;
    }
    if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || /password authentication failed|database .* does not exist/.test(text)) {
      return 'the PostgreSQL server in DATABASE_URL could not be used: check that it runs, and the host, port, database, user and password in DATABASE_URL';
    }
  }
  return null;
}

/** The lines to print for an unexpected failure of `what` (e.g. "could not start"). */
export function failureLines(what: string, error: unknown, context: Parameters<typeof hintFor>[1] = {}): string[] {
  // A ValidationError (validation.ts): one line per problem, each naming its field.
  const problems = (error as { problems?: { path: string; message: string }[] } | null)?.problems;
  if (error instanceof Error && error.name === 'ValidationError' && Array.isArray(problems)) {
    return [`returnsbot: ${what}:`, ...problems.map((p) => `  ${p.path}: ${p.message}`)];
  }
  const [first, ...causes] = chain(error);
  const lines = [`returnsbot: ${what}: ${first ? messageOf(first) : String(error)}`];
  for (const c of causes) lines.push(`  caused by: ${messageOf(c)}`);
  const hint = hintFor(error, context);
  if (hint) lines.push(`  hint: ${hint}`);
  // Multi-line messages stay readable: continuation lines indented under their first.
  return lines.flatMap((l) => l.split('\n').map((part, i) => (i === 0 ? part : `    ${part}`)));
}
