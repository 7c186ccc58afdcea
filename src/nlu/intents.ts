/**
 * What a message asks for besides slot values: a person, goodbye, a question mid-way, anger, a new
 * return. First reading by rules; replaced by the trained classifier (see understand.ts).
 */
import type { AskTopic } from '../../machines/commands.js';
import type { Lang } from './lexicon.js';
import { fold } from './text.js';

export type Intent =
  | { kind: 'human' | 'frustrated' | 'cancel' | 'restart' | 'help' | 'goodbye' | 'startReturn'; confidence: number }
  | { kind: 'ask'; topic: AskTopic; confidence: number };

type Rule = [RegExp, Intent];

const RULES: Record<Lang, Rule[]> = {
  en: [
    [/\b(human|person|agent|someone real|real person|operator|representative)\b.*\b(now|already|please)?\b.*(!|\bnow\b)/, { kind: 'human', confidence: 0.95 }],
    [/\b(how long|when)\b.*\b(refund|money back|get my money)\b/, { kind: 'ask', topic: 'refundTime', confidence: 0.9 }],
    [/\b(who pays|pay for|cost)\b.*\b(postage|shipping|return label|delivery)\b|\b(postage|shipping)\b.*\b(free|paid|pay)\b/, { kind: 'ask', topic: 'returnPostage', confidence: 0.9 }],
    [/\brestocking\b/, { kind: 'ask', topic: 'restockingFee', confidence: 0.9 }],
    [/\bwhat (happens|now|next)\b|\bnext steps?\b/, { kind: 'ask', topic: 'nextSteps', confidence: 0.85 }],
    [/\brma\b.*\b(again|number|what)\b|\bwhat'?s my (rma|return number)\b/, { kind: 'ask', topic: 'rmaNumber', confidence: 0.9 }],
    [/\b(can|could) i (get|have) a (refund|replacement|repair)\b.*\binstead\b|\binstead\b.*\?/, { kind: 'ask', topic: 'otherRemedy', confidence: 0.85 }],
    [/\bwhere (do|should|can) i (send|post|ship|take)\b|\bwhat address\b/, { kind: 'ask', topic: 'whereToSend', confidence: 0.9 }],
    [/\b(can|could) i cancel (the|my) return\b/, { kind: 'ask', topic: 'cancelReturn', confidence: 0.9 }],
    [/^(that'?s all|that is all|thanks?,? bye|bye|goodbye|thank you,? (bye|that'?s all)|cheers,? bye|nothing else)\b/, { kind: 'goodbye', confidence: 0.9 }],
    [/\b(useless|ridiculous|pathetic|waste of time|stupid bot|fed up|sick of this|taking forever)\b/, { kind: 'frustrated', confidence: 0.9 }],
    [/\b(i want|i'?d like|i need|want) to (return|send back)\b|\bstart a return\b|\breturn (an|my|this|the) (order|item)\b/, { kind: 'startReturn', confidence: 0.9 }],
  ],
  es: [
    [/\b(comunicar|hablar|paseme|pasame|pase|comuniqueme)\b.*\b(persona|humano|agente|ser humano|alguien)\b/, { kind: 'human', confidence: 0.95 }],
    [/\bcuanto (tarda|tiempo)\b.*\breembolso\b/, { kind: 'ask', topic: 'refundTime', confidence: 0.9 }],
    [/\bquien paga\b.*\b(envio|franqueo)\b/, { kind: 'ask', topic: 'returnPostage', confidence: 0.9 }],
    [/\breposicion\b|\bcargo por (re)?almacenaje\b/, { kind: 'ask', topic: 'restockingFee', confidence: 0.9 }],
    [/\by ahora que\b|\bque (pasa|sigue) ahora\b|\bsiguientes pasos\b/, { kind: 'ask', topic: 'nextSteps', confidence: 0.85 }],
    [/\b(numero de )?rma\b/, { kind: 'ask', topic: 'rmaNumber', confidence: 0.8 }],
    [/\ben (su )?lugar\b|\ben vez de\b/, { kind: 'ask', topic: 'otherRemedy', confidence: 0.8 }],
    [/\ba donde (lo )?(envio|mando)\b|\bque direccion\b/, { kind: 'ask', topic: 'whereToSend', confidence: 0.9 }],
    [/\bpuedo cancelar la devolucion\b/, { kind: 'ask', topic: 'cancelReturn', confidence: 0.9 }],
    [/^(eso es todo|gracias,? adios|adios|hasta luego|nada mas)\b/, { kind: 'goodbye', confidence: 0.9 }],
    [/\b(ya me harte|harto|harta|inutil|que pesadilla|no sirve para nada|ridiculo)\b/, { kind: 'frustrated', confidence: 0.9 }],
    [/\b(quiero|quisiera|necesito) (devolver|hacer una devolucion)\b/, { kind: 'startReturn', confidence: 0.9 }],
  ],
};

/** The first intent the message shows, or null. */
export function intentOf(text: string, lang: Lang): Intent | null {
  const t = fold(text).replace(/[¿¡]/g, '');
  for (const [re, intent] of RULES[lang]) if (re.test(t)) return intent;
  return null;
}
