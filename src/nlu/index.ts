/**
 * The natural-language layer: pure functions that turn a customer's free text into structured
 * values, for English (en-GB, en-US) and Spanish (es-US). Phrase lists are data in locales/nlu/.
 */
export { languageOf, dateOrderOf, lexicon, LANGS, type Lang } from './lexicon.js';
export { warmUp } from './warm.js';
export { detectCommand, type Command } from './commands.js';
export { extractOrderNumber, extractEmail, normalizePostcode, matchesCustomer, extractReference } from './identity.js';
export { parseYesNo, isDontKnow } from './yesno.js';
export { parseConditionAnswer } from './conditions.js';
export { parseFaultCause } from './fault.js';
export { parsePreauth } from './preauth.js';
export { classifyReason, type ReasonReading } from './reasons.js';
export { matchItem, resolveMention, type ItemRef } from './items.js';
export { matchRemedy } from './remedies.js';
export { parseDate, type DateOrder } from './dates.js';
export { detectCorrection, type Correction, type CorrectionContext } from './corrections.js';
export { isDispute, normalizeText } from './misc.js';
export { understand, understandWith, isAdverse, type UnderstandView, type ReadOptions } from './understand.js';
