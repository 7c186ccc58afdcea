/**
 * Compile every language's phrase lists and date parsers ahead of the first customer (the server
 * calls this right after it starts listening), and load the trained models, so no turn pays for it.
 */
import { classifyReason } from './reasons.js';
import { parseDate } from './dates.js';
import { detectCommand } from './commands.js';
import { parseYesNo } from './yesno.js';
import { LANGS } from './lexicon.js';
import { warmModels } from './model.js';
import { understand } from './understand.js';

export function warmUp(): void {
  warmModels();
  for (const lang of LANGS) {
    detectCommand('hello', lang);
    parseYesNo('yes', lang);
    classifyReason('it stopped working', lang);
    parseDate('3 days ago', lang, '2026-01-15', 'DMY');
    understand('yes, it stopped working 3 days ago', { locale: lang === 'es' ? 'es-US' : 'en-GB', step: null, today: '2026-01-15', dateOrder: 'DMY', items: [], remedies: [], filled: [] });
  }
}
