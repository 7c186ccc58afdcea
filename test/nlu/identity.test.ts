/**
 * Order numbers, e-mail addresses, postcodes, proving the order is the customer's, and the
 * manufacturer's pre-authorisation number.
 */
import { extractEmail, extractOrderNumber, matchesCustomer, normalizePostcode, parsePreauth } from '../../src/nlu/index.js';
import { table } from './table.js';

table<string, string | null>(
  'extractOrderNumber',
  [
    ['my order is UK-100234', 'UK-100234'],
    ["it's imp 500017", 'IMP-500017'],
    ['order #IMP-500017.', 'IMP-500017'],
    ['uk-100234', 'UK-100234'],
    ['UK100234', 'UK-100234'],
    ['uk 100234', 'UK-100234'],
    ['IMP#500017', 'IMP-500017'],
    ['IMP #500017', 'IMP-500017'],
    ['Order number: IMP-500017, thanks', 'IMP-500017'],
    ['hi, order UK-100234 please', 'UK-100234'],
    ['ref AB-1234', 'AB-1234'],
    ['ABCD-12345678', 'ABCD-12345678'],
    ['12345678', '12345678'],
    ['my order number is 500017', '500017'],
    ['order no 123456', '123456'],
    ['mi número de pedido es imp-500017', 'IMP-500017'],
    ['es el 500017', '500017'],
    ['#500017', '500017'],
    ['UK-100234 and my email is sam@example.com', 'UK-100234'],
    ['it is UK–100234'.replace('–', '-'), 'UK-100234'],
    ['hello', null],
    ['I bought it on 12/11/2026', null],
    ['Dec 2026', null],
    ['it was £59.99', null],
    ['1234', null],
    ['sam12345@example.com', null],
    ['my postcode is LS1 4AP', null],
    ['UK-123', null],
    ['', null],
  ],
  extractOrderNumber,
);

table<string, string | null>(
  'extractEmail',
  [
    ["it's sam@example.com", 'sam@example.com'],
    ['SAM@Example.COM', 'sam@example.com'],
    ['email: lee.smith+shop@mail.co.uk.', 'lee.smith+shop@mail.co.uk'],
    ['mi correo es Ana.Lopez@Correo.mx', 'ana.lopez@correo.mx'],
    ['<lee@example.com>', 'lee@example.com'],
    ['no email here', null],
    ['sam at example dot com', null],
    ['@example.com', null],
  ],
  extractEmail,
);

table<string, string | null>(
  'normalizePostcode',
  [
    ['LS1 4AP', 'LS1 4AP'],
    ['ls14ap', 'LS1 4AP'],
    ['postcode is ls1 4ap', 'LS1 4AP'],
    ['SW1A 1AA', 'SW1A 1AA'],
    ['sw1a1aa', 'SW1A 1AA'],
    ['M1 1AE', 'M1 1AE'],
    ['ec1a 1bb', 'EC1A 1BB'],
    ['B33 8TH', 'B33 8TH'],
    ['10001', '10001'],
    ['10001-1234', '10001-1234'],
    ['my zip is 94105', '94105'],
    ['zip 10001 1234', '10001-1234'],
    ['hello', null],
    ['1234', null],
    ['', null],
  ],
  normalizePostcode,
);

const sam = { email: 'sam@example.com', postcode: 'LS1 4AP' };
table<string, boolean>(
  'matchesCustomer (UK order)',
  [
    ["it's sam@example.com", true],
    ['SAM@EXAMPLE.COM', true],
    ['Sam@Example.com.', true],
    ['postcode is ls1 4ap', true],
    ['LS14AP', true],
    ['ls1 4ap.', true],
    ['LS1 4AP', true],
    ['my email is other@example.com', false],
    ['LS1 4AQ', false],
    ['LS1', false],
    ['', false],
    ['sam@example.co', false],
    ['sam@example.com.au', false],
    ['UK-100234', false],
  ],
  (s) => matchesCustomer(s, sam),
);

table<string, boolean>(
  'matchesCustomer (US order, ZIP)',
  [
    ['10001', true],
    ['zip is 10001-1234', true],
    ['lee@example.com', true],
    ['my zip code is 10001', true],
    ['10002', false],
    ['100011', false],
    ['lee@example.org', false],
  ],
  (s) => matchesCustomer(s, { email: 'lee@example.com', postcode: '10001' }),
);

table<string, boolean>(
  'matchesCustomer (ZIP+4 on file)',
  [
    ['10001', true],
    ['10001-1234', true],
    ['10001-9999', false],
    ['10002', false],
  ],
  (s) => matchesCustomer(s, { email: null, postcode: '10001-1234' }),
);

table<string, string | null>(
  'parsePreauth (en)',
  [
    ['no', 'none'],
    ["no, I don't have one", 'none'],
    ["I don't have it", 'none'],
    ['none', 'none'],
    ['nope', 'none'],
    ["I haven't got one", 'none'],
    ['never got one', 'none'],
    ['no number', 'none'],
    ['n/a', 'none'],
    ["I didn't get one", 'none'],
    ['they never gave me one', 'none'],
    ["No, I don't know what that is", 'none'],
    ['not yet', 'none'],
    ['yes', null],
    ['yes I have it', null],
    ['hmm', null],
    ["I don't know", null],
    ['MP-123456', 'MP-123456'],
    ["it's 778812", '778812'],
    ['yes, MP-123456', 'MP-123456'],
    ['the number is mp 123456', 'MP-123456'],
    ['PA-2026-1188', 'PA-2026-1188'],
    ['ref: AB12CD34', 'AB12CD34'],
  ],
  (s) => parsePreauth(s, 'en'),
);

table<string, string | null>(
  'parsePreauth (es)',
  [
    ['no tengo', 'none'],
    ['no lo tengo', 'none'],
    ['no me dieron ninguno', 'none'],
    ['ninguno', 'none'],
    ['no', 'none'],
    ['nunca me dieron uno', 'none'],
    ['sí, es el 445566', '445566'],
    ['MP-123456', 'MP-123456'],
    ['sí', null],
    ['no sé', null],
  ],
  (s) => parsePreauth(s, 'es'),
);
