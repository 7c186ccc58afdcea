/**
 * The trained classifiers: reproducible training, the training file's format, and negation in the features.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { angerOf } from '../../src/nlu/intents.js';
import { classify, corpusOf, featuresOf, hashOf, parseTraining, shouted, train, trainingPath } from '../../src/nlu/model.js';
import { understand } from '../../src/nlu/understand.js';

describe('nlu models', function () {
  this.timeout(60_000);

  it('the same examples train the same model (reproducible build)', () => {
    const source = readFileSync(trainingPath('es'), 'utf8');
    assert.deepEqual(train(source, 'es'), train(source, 'es'));
    assert.notEqual(hashOf(source), hashOf(`${source}\n# changed`));
  });

  it('reads the Rasa-style training file: intents, reason/… and cause/… blocks', () => {
    const examples = parseTraining('version: "3.1"\nnlu:\n- intent: human\n  examples: |\n    - talk to a person\n    - agent\n- intent: reason/faulty\n  examples: |\n    - it broke\n');
    assert.deepEqual(examples, [
      { model: 'act', label: 'human', text: 'talk to a person' },
      { model: 'act', label: 'human', text: 'agent' },
      { model: 'reason', label: 'faulty', text: 'it broke' },
    ]);
    // A reason example is "inform" to the act model; a request is "none" to the reason model.
    assert.deepEqual(
      corpusOf(examples, 'act').map((e) => e.label),
      ['human', 'human', 'inform'],
    );
    assert.deepEqual(
      corpusOf(examples, 'reason').map((e) => e.label),
      ['faulty', 'none', 'none'],
    );
  });

  it('reads a multi-intent block (human+frustrated): a request for a person to the act model, anger to the anger model', () => {
    const examples = parseTraining(
      'version: "3.1"\nnlu:\n- intent: human+frustrated\n  examples: |\n    - human. now.\n- intent: frustrated\n  examples: |\n    - useless\n- intent: human\n  examples: |\n    - agent please\n- intent: reason/faulty\n  examples: |\n    - it broke\n',
    );
    assert.deepEqual(examples[0], { model: 'act', label: 'human', text: 'human. now.', also: ['frustrated'] });
    assert.deepEqual(
      corpusOf(examples, 'act').map((e) => e.label),
      ['human', 'frustrated', 'human', 'inform'],
    );
    assert.deepEqual(
      corpusOf(examples, 'anger').map((e) => e.label),
      ['angry', 'angry', 'calm', 'calm'],
    );
  });

  it('reads shouting and "!!" off the raw text, not acronyms or order numbers', () => {
    assert.equal(shouted('I WANT A HUMAN'), true);
    assert.equal(shouted('agent!!'), true);
    assert.equal(shouted('¡¡pásame con alguien!!'), true);
    assert.equal(shouted('the USB and HDMI ports are loose'), false);
    assert.equal(shouted('order US-200451, SW1A 2AA'), false);
    assert.equal(shouted('¡Hola! ¿Me ayudan?'), false);
    assert.ok(featuresOf('I WANT A HUMAN', 'en')['#caps']);
  });

  it('marks a question by its question mark, in either language', () => {
    assert.equal(featuresOf('who pays for the postage?', 'en')['#q'], 1);
    assert.equal(featuresOf('¿quién paga el envío', 'es')['#q'], 1);
    assert.equal(featuresOf('it arrived broken', 'en')['#q'], undefined);
    // Typing and the first letters of an unknown word say nothing alone: no act is read from them.
    assert.deepEqual(classify('en', 'act', '¿__proto__?'), []);
    assert.deepEqual(classify('en', 'act', '__lookupSetter__?'), []);
  });

  it('gives a number one feature, without the prefix a long word gets', () => {
    const f = Object.keys(featuresOf('order 1234567 arrived', 'en'));
    assert.ok(f.includes('#n'));
    assert.ok(!f.some((k) => k.startsWith('~123')), f.join(' '));
  });

  it('hears anger in one clause of a calm request, and marks the request for a person', () => {
    assert.ok(angerOf('this is useless, I want to talk to someone', 'en') >= 0.5);
    assert.ok(angerOf('can I speak to a person please', 'en') < 0.5);
    const view = { locale: 'en-GB', step: 'reason' as const, today: '2026-03-20', dateOrder: 'DMY' as const, items: [], remedies: [], filled: [] };
    const angry = understand('this is useless, I want to talk to someone', view).find((c) => c.type === 'HumanHandoff');
    const calm = understand('can I speak to a person please', view).find((c) => c.type === 'HumanHandoff');
    assert.ok(angry?.type === 'HumanHandoff' && angry.frustrated === true, JSON.stringify(angry));
    assert.ok(calm?.type === 'HumanHandoff' && !calm.frustrated, JSON.stringify(calm));
    const es = understand('ya me cansé de esto, páseme con una persona', { ...view, locale: 'es-US' }).find((c) => c.type === 'HumanHandoff');
    assert.ok(es?.type === 'HumanHandoff' && es.frustrated === true, JSON.stringify(es));
  });

  it('marks negated words: "I haven\'t dropped it" has no "drop"', () => {
    const f = featuresOf("I haven't dropped it", 'en');
    assert.ok('¬drop' in f && !('drop' in f), JSON.stringify(f));
    assert.ok('drop' in featuresOf('I dropped it', 'en'));
  });

  it('classifies with scores that add up to 1, best first', () => {
    const scores = classify('en', 'cause', 'I dropped it down the stairs');
    assert.equal(scores[0]?.label, 'accident');
    assert.ok(Math.abs(scores.reduce((t, s) => t + s.score, 0) - 1) < 1e-9);
    assert.deepEqual(classify('en', 'act', 'zzqx vvbn'), classify('en', 'act', 'zzqx vvbn'));
  });

  it('reads the letters when the network gives no score for words it learnt (every output at or below zero)', () => {
    // The network alone scores nothing for this fault story; the n-gram reader still weighs the reasons.
    const scores = classify('en', 'reason', 'Monitor has a bright spot in the top left corner that wasnt there when i set it up');
    assert.ok(scores.length > 0);
    assert.ok(Math.abs(scores.reduce((t, s) => t + s.score, 0) - 1) < 1e-9);
    assert.deepEqual(classify('en', 'reason', 'zzqx vvbn'), []);
  });
});
