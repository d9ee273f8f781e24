/** The workers' memory settings (issue 15): defaults that an operator's own choice overrides. */
import { describe, expect, it } from 'vitest';
import { workerMemorySettings } from './supervisor';

describe('worker memory settings', () => {
  it('caps malloc arenas, the young and the old generation by default, keeping the loader flags', () => {
    expect(workerMemorySettings({}, ['--import', 'tsx'])).toEqual({
      env: { MALLOC_ARENA_MAX: '2' },
      execArgv: ['--import', 'tsx', '--max-semi-space-size=4', '--max-old-space-size=160'],
    });
  });

  it('leaves what the operator set: MALLOC_ARENA_MAX, heap sizes in NODE_OPTIONS or in the flags', () => {
    expect(workerMemorySettings({ MALLOC_ARENA_MAX: '8' }, []).env).toEqual({});
    expect(
      workerMemorySettings({ NODE_OPTIONS: '--max-semi-space-size=16 --max-old-space-size=512' }, [])
        .execArgv,
    ).toEqual([]);
    expect(workerMemorySettings({}, ['--max-semi-space-size=1', '--max-old-space-size=96']).execArgv).toEqual(
      ['--max-semi-space-size=1', '--max-old-space-size=96'],
    );
  });
});

describe('worker memory settings with the embedded database', () => {
  it('compiles PGlite with the baseline WebAssembly compiler only, and V8 favours size', () => {
    expect(workerMemorySettings({}, [], { embeddedDatabase: true }).execArgv).toEqual([
      '--max-semi-space-size=4',
      '--max-old-space-size=160',
      '--liftoff-only',
      '--optimize-for-size',
    ]);
    expect(workerMemorySettings({}, [], { embeddedDatabase: false }).execArgv).toEqual([
      '--max-semi-space-size=4',
      '--max-old-space-size=160',
    ]);
  });

  it("leaves the operator's WebAssembly tiering and size flags", () => {
    expect(
      workerMemorySettings({}, ['--no-liftoff', '--no-optimize-for-size'], { embeddedDatabase: true })
        .execArgv,
    ).toEqual([
      '--no-liftoff',
      '--no-optimize-for-size',
      '--max-semi-space-size=4',
      '--max-old-space-size=160',
    ]);
  });
});
