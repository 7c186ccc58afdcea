/**
 * The trained classifiers: reproducible training, the training file's format, and negation in the features.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { classify, corpusOf, featuresOf, hashOf, parseTraining, train, trainingPath } from '../../src/nlu/model.js';

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
    assert.deepEqual(corpusOf(examples, 'act').map((e) => e.label), ['human', 'human', 'inform']);
    assert.deepEqual(corpusOf(examples, 'reason').map((e) => e.label), ['faulty', 'none', 'none']);
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
});
