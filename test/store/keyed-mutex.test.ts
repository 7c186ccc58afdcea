import { expect } from 'chai';
import { KeyedMutex } from '../../src/store/keyed-mutex.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('KeyedMutex', function () {
  it('runs holders of one key one at a time, first come first served', async function () {
    const mutex = new KeyedMutex();
    const events: string[] = [];
    let inside = 0;
    const runs = Array.from({ length: 20 }, (_, i) =>
      mutex.run('k', async () => {
        inside++;
        expect(inside).to.equal(1);
        events.push(`start ${i}`);
        for (let t = 0; t < (i % 3) + 1; t++) await tick();
        events.push(`end ${i}`);
        inside--;
        return i;
      }),
    );
    expect(await Promise.all(runs)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i));
    expect(events).to.deep.equal(Array.from({ length: 20 }, (_, i) => [`start ${i}`, `end ${i}`]).flat());
  });

  it('does not make different keys wait for each other', async function () {
    const mutex = new KeyedMutex();
    let release!: () => void;
    const held = mutex.run('a', () => new Promise<void>((resolve) => (release = resolve)));
    expect(await mutex.run('b', async () => 'b ran')).to.equal('b ran');
    expect(mutex.isLocked('a')).to.equal(true);
    release();
    await held;
  });

  it('releases the lock when the holder throws (synchronously or not)', async function () {
    const mutex = new KeyedMutex();
    const failing = mutex.run('k', async () => {
      await tick();
      throw new Error('async boom');
    });
    const throwing = mutex.run('k', () => {
      throw new Error('sync boom');
    });
    const next = mutex.run('k', () => 'next');
    expect(await failing.catch((e: Error) => e.message)).to.equal('async boom');
    expect(await throwing.catch((e: Error) => e.message)).to.equal('sync boom');
    expect(await next).to.equal('next');
  });

  it('keeps no entry for keys nobody holds', async function () {
    const mutex = new KeyedMutex();
    await Promise.all(Array.from({ length: 100 }, (_, i) => mutex.run(`key-${i % 10}`, tick)));
    await mutex
      .run('x', () => {
        throw new Error('no');
      })
      .catch(() => undefined);
    expect(mutex.size).to.equal(0);
    expect(mutex.isLocked('key-1')).to.equal(false);
  });
});
