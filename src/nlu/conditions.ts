/**
 * Answers to the yes/no condition questions ("is <field> true?"), in yes/no form or in the
 * customer's own words ("it's still sealed", "I lost the charger").
 */
import { BOOLEAN_CONDITION_FIELDS, type ConditionField } from '../policy/case.js';
import { lexicon, type Lang } from './lexicon.js';
import { isWhole, normalize } from './text.js';
import { otherLanguagesWhole, polarity, readYesNo } from './yesno.js';

/**
 * true / false for a boolean condition field, null when unclear or unknown. The question is always
 * "is <field> true?": "yes" at packagingOpened means opened, "yes" at serialLabelIntact means intact.
 * Always null for the non-boolean fields (faultCause, manufacturerPreauth).
 */
export function parseConditionAnswer(field: ConditionField, text: string, lang: Lang): boolean | null {
  const boolField = BOOLEAN_CONDITION_FIELDS.find((f) => f === field);
  if (!boolField) return null;
  const lex = lexicon(lang);
  const cues = lex.conditions[boolField];
  const n = normalize(text, lex.maps);
  if (n.tokens.length === 0) return null;
  const r = readYesNo(n, lex);
  if (r.dontKnow || r.hedge) return null;
  // A whole message that is one of the field's own phrases ("fine" at physicalDamage, "sealed").
  const wholeTrue = isWhole(r.trimmed, cues.true) || isWhole(r.trimmed, cues.trueOnly);
  const wholeFalse = isWhole(r.trimmed, cues.false) || isWhole(r.trimmed, cues.falseOnly);
  if (wholeTrue !== wholeFalse) return wholeTrue;
  if (r.whole !== null) return r.whole;
  const said = polarity(r.rest, lex, cues);
  if (r.particle !== null) {
    if (said !== null && said !== r.particle) return null;
    return r.particle;
  }
  if (said !== null) return said;
  // A bare negative sentence ("I didn't cut anything out") is no "no" to the question: unclear.
  return otherLanguagesWhole(text, lang);
}
