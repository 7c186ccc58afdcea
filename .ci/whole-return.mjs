// One whole return over HTTP against a running `npm start` (the embedded store, demo orders loaded
// on first start), as a channel would talk to it: POST /api/messages with expectReplies, each
// answer chosen by the step the bot asks (channelData.returns.step). Also checks the pages a first
// start points to. Exit 0 with the RMA number on stdout; exit 1 with the transcript otherwise.
//   node .ci/whole-return.mjs http://127.0.0.1:3978
const base = process.argv[2] ?? 'http://127.0.0.1:3978';
const ANSWERS = {
  orderNumber: 'UK-200311',
  verify: 'amira.khan@example.com',
  item: '1',
  reason: 'I changed my mind',
  sealBroken: 'no',
  used: 'no',
  packagingOpened: 'no',
  serialLabelIntact: 'yes',
  remedy: 'refund',
  confirm: 'yes',
};
const transcript = [];
const fail = (why) => {
  console.error(`whole return against ${base} failed: ${why}\n${transcript.join('\n')}`);
  process.exit(1);
};

for (const path of ['/healthz', '/', '/agent', '/widget.js']) {
  const res = await fetch(base + path).catch((e) => fail(`GET ${path}: ${e.message}`));
  if (res.status !== 200) fail(`GET ${path}: HTTP ${res.status}`);
}

const conversation = `ci-${Date.now()}`;
let text = 'Hi, I want to return my headphones from order UK-200311';
for (let turn = 1; turn <= 15; turn++) {
  transcript.push(`you> ${text}`);
  const res = await fetch(`${base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message',
      id: `${conversation}-${turn}`,
      channelId: 'test',
      deliveryMode: 'expectReplies',
      locale: 'en-GB',
      from: { id: 'ci-customer' },
      recipient: { id: 'bot' },
      conversation: { id: conversation },
      text,
    }),
  });
  if (res.status !== 200) fail(`POST /api/messages: HTTP ${res.status} ${await res.text()}`);
  const replies = (await res.json()).activities ?? [];
  for (const a of replies) transcript.push(`bot> ${(a.text ?? `(${a.type})`).replace(/\n/g, ' ')}`);
  const rma = replies.map((a) => a.channelData?.returns?.rma).find(Boolean);
  if (rma) {
    if (!/^RMA-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/.test(rma)) fail(`not an RMA number: ${rma}`);
    console.log(rma);
    process.exit(0);
  }
  const outcome = replies.map((a) => a.channelData?.returns?.outcome).find(Boolean);
  if (outcome && outcome !== 'approved') fail(`the return was ${outcome}`);
  const step = [...replies].reverse().find((a) => a.channelData?.returns?.step)?.channelData.returns.step;
  if (!step || !(step in ANSWERS)) fail(`no answer for the step ${JSON.stringify(step)}`);
  text = ANSWERS[step];
}
fail('no RMA after 15 turns');
