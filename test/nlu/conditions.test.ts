/**
 * parseConditionAnswer: "is <field> true?" answered with yes/no or in the customer's words.
 */
import type { BooleanConditionField } from '../../src/policy/case.js';
import { parseConditionAnswer } from '../../src/nlu/index.js';
import { table } from './table.js';

type Row = readonly [string, boolean | null];

const en: Record<BooleanConditionField, Row[]> = {
  packagingOpened: [
    ['yes', true], ['no', false], ["it's still sealed", false], ['unopened', false], ['never opened', false],
    ['I never opened it', false], ['I opened it', true], ['opened', true], ['yes, I opened it', true],
    ['no, it’s still sealed', false], ['still in the shrink wrap', false], ["it's brand new in box", false],
    ['I took it out of the box', true], ["I've used it", true], ['the box is open', true], ["haven't even opened it", false],
    ["I didn't open it", false], ["it hasn't been opened", false], ['it was opened', true], ['I tore the plastic off', true],
    ['still sealed in its box', false], ['nope', false], ['yep, opened it to check', true], ["I don't know", null],
    ['maybe', null], ['not sure', null], ['the headphones', null],
  ],
  sealBroken: [
    ['yes', true], ['no', false], ['I broke the seal', true], ['the seal is broken', true], ['seal is intact', false],
    ['still sealed', false], ['the seal is still on', false], ['I removed the hygiene strip', true], ['I tried them on', true],
    ['never opened', false], ['fine', false], ['the hygiene seal was torn', true], ["I haven't broken the seal", false],
    ["it's unopened", false], ['no idea', null],
  ],
  activationStripDamaged: [
    ['no', false], ['yes', true], ['I scratched it off', true], ['the strip is intact', false], ['I used the code', true],
    ["it's untouched", false], ['the strip is damaged', true], ["I haven't scratched it", false], ["it's fine", false],
  ],
  used: [
    ['I used it once', true], ['never used', false], ["I've never used it", false], ['used it a couple of times', true],
    ['only once', true], ['brand new', false], ['I wore them for a day', true], ['unused', false], ['I installed it', true],
    ["I didn't use it at all", false], ["it's still new", false], ['I plugged it in to test it', true], ['not even once', false],
    ['yes a few times', true], ['no never', false], ['I set it up and used it for a week', true], ['untouched', false],
    ['yes', true], ['no', false], ['dunno', null],
  ],
  allAccessories: [
    ['everything is there', true], ['I lost the charger', false], ['yes, everything is included', true], ['nothing is missing', true],
    ['the manual is missing', false], ["I can't find the cable", false], ['all there', true], ['everything except the manual', false],
    ['everything is there except the remote', false], ['I threw away the manual', false], ["it's complete", true],
    ['I have everything', true], ['without the charger', false], ['no, the cable is missing', false], ['missing the power cord', false],
    ['all included', true], ['I lost the charger but everything else is there', false], ['yes', true], ['no', false],
  ],
  originalPackaging: [
    ['I threw the box away', false], ['I still have the box', true], ['yes, I kept the original packaging', true],
    ['I recycled the box', false], ['the box is damaged', null], ['I still have it', true], ['no box', false], ["it's in the original box", true],
    ['I threw it out', false], ['I binned the packaging', false], ["I don't have the box any more", false], ['got the box', true],
    ['the packaging is gone', false], ['yes', true], ['no', false],
  ],
  serialLabelIntact: [
    ['the sticker is gone', false], ['yes', true], ['no', false], ['the label is intact', true], ["it's still there", true],
    ['I peeled the label off', false], ['the serial number label is missing', false], ['it fell off', false],
    ['never touched it', true], ["I haven't removed it", true], ['the label is damaged', false], ["it's unreadable", false],
    ['intact', true], ['the serial sticker is fine', true],
  ],
  upcPresent: [
    ['the sticker is gone', false], ['I cut out the UPC for the rebate', false], ['the barcode is still there', true], ['yes', true],
    ['I sent the UPC for the mail-in rebate', false], ['the UPC is missing', false], ["it's still on the box", true],
    ['barcode is intact', true], ['no', false],
  ],
  physicalDamage: [
    ["there's a scratch", true], ['cracked', true], ['no damage', false], ['not a scratch on it', false],
    ["it's in perfect condition", false], ["there's a small dent", true], ['the corner is chipped', true], ['like new', false],
    ["no, it's fine", false], ['fine', false], ['yes, a few scratches', true], ['scuffed on the lid', true],
    ["it's not damaged", false], ['no scratches or dents', false], ['mint condition', false], ['the screen is cracked', true],
    ['there is a crack in the case', true], ["no, it's perfect", false], ['the hinge is bent', true],
    ['yes', true], ['no', false],
  ],
  tampered: [
    ['I added RAM', true], ['I opened the case', true], ['no', false], ['I upgraded the SSD', true],
    ['I replaced the battery myself', true], ['untouched', false], ["I haven't modified it", false],
    ["no, it's exactly as it came", false], ['I took it apart to clean it', true], ['I tried to fix it myself', true],
    ["it's stock", false], ['nobody has touched it', false], ['I overclocked it', true], ['yes', true],
  ],
  rebateClaimed: [
    ['yes, I claimed the rebate', true], ['no', false], ['I sent in the rebate form', true], ['I never claimed it', false],
    ['there was no rebate', false], ['no rebate', false], ['the rebate was already paid', true],
    ["I haven't claimed the rebate", false], ['got the rebate check', true],
  ],
  softwareClaimed: [
    ['I redeemed the game code', true], ['no, the code is unused', false], ['I activated the software', true],
    ['never used the code', false], ['I downloaded the free game', true], ['no', false], ['the voucher is still unused', false],
    ['I claimed the bundled software', true], ["haven't redeemed it", false], ['yes', true],
  ],
  originalOsIntact: [
    ['I installed Linux and wiped Windows', false], ['I installed a second OS but Windows is still there', true], ['yes', true],
    ['no', false], ['I formatted the drive', false], ['Windows is still installed', true], ['I reinstalled Windows', false],
    ["I'm dual booting with Windows", true], ['it still has the original Windows', true], ['I replaced Windows with Ubuntu', false],
    ['I installed Linux alongside Windows', true], ["I haven't touched the OS", true], ['windows is gone', false],
    ["it's running ubuntu now", false], ['I never wiped it', true],
  ],
};

const es: Partial<Record<BooleanConditionField, Row[]>> = {
  packagingOpened: [
    ['sí', true], ['no', false], ['está sellado', false], ['sigue sellado', false], ['sin abrir', false], ['no lo abrí', false],
    ['nunca lo abrí', false], ['lo abrí', true], ['ya lo abrí', true], ['sí, lo abrí', true], ['está abierto', true],
    ['sigue en su caja', false], ['no sé', null], ['no, está sellado', false],
  ],
  sealBroken: [['rompí el sello', true], ['el sello está intacto', false], ['sellado', false], ['sí', true]],
  used: [['lo usé una vez', true], ['nunca lo usé', false], ['sin usar', false], ['está nuevo', false], ['lo probé un par de veces', true], ['no', false]],
  allAccessories: [
    ['está todo', true], ['no falta nada', true], ['perdí el cargador', false], ['falta el manual', false], ['todo menos el cable', false],
    ['sí, todo completo', true], ['no tengo el cargador', false],
  ],
  originalPackaging: [['tiré la caja', false], ['tengo la caja', true], ['ya no tengo la caja', false], ['sí, la guardé', true]],
  serialLabelIntact: [['la etiqueta está intacta', true], ['quité la etiqueta', false], ['se despegó', false], ['está ahí', true]],
  upcPresent: [['recorté el código de barras', false], ['el código de barras está ahí', true]],
  physicalDamage: [
    ['tiene un rayón', true], ['está rayado', true], ['sin daños', false], ['en perfecto estado', false], ['no tiene rayones', false],
    ['la pantalla está estrellada', true], ['no', false], ['sí, tiene un golpe', true],
  ],
  tampered: [['le agregué RAM', true], ['abrí la carcasa', true], ['no le hice nada', false], ['tal como vino', false]],
  rebateClaimed: [['ya reclamé el reembolso', true], ['no', false]],
  softwareClaimed: [['canjeé el código', true], ['el código está sin usar', false]],
  originalOsIntact: [
    ['borré Windows', false], ['instalé Linux', false], ['Windows sigue instalado', true], ['formateé el disco', false],
    ['instalé Linux junto a Windows', true], ['sí', true],
  ],
};

describe('parseConditionAnswer', () => {
  for (const [field, rows] of Object.entries(en) as [BooleanConditionField, Row[]][]) {
    table<string, boolean | null>(`${field} (en)`, rows, (s) => parseConditionAnswer(field, s, 'en'));
  }
  for (const [field, rows] of Object.entries(es) as [BooleanConditionField, Row[]][]) {
    table<string, boolean | null>(`${field} (es)`, rows, (s) => parseConditionAnswer(field, s, 'es'));
  }
  table<string, boolean | null>('non-boolean fields are never read as yes/no', [
    ['faultCause', null],
    ['manufacturerPreauth', null],
  ], (field) => parseConditionAnswer(field as 'faultCause', 'yes', 'en'));
});
