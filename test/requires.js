/**
 * Tests that need a tool from outside npm (Chromium, a Docker engine, the built `dist/`): they skip on a
 * developer's machine that lacks the tool, with a note saying how to install it, and FAIL in CI
 * (`CI=true`), where `.ci/run` installs everything the tests need, so a missing install step cannot hide
 * behind a skipped test.
 */
import { describe, test } from 'vitest';
/** Whether this run is CI (`CI=true`, as `.ci/run` is started). */
export const inCi = /^(1|true)$/i.test(process.env.CI ?? '');
/**
 * `describe`, if `available`; otherwise a suite that skips (locally) or fails (CI) with `install` as the fix.
 * @example
 * requires('chromium', Boolean(chromium), 'apt-get install -y chromium')('render', () => { ... })
 */
export function requires(tool, available, install) {
    if (available)
        return (name, body) => describe(name, body);
    const note = `${tool} is missing (${install})`;
    if (inCi)
        return (name) => describe(name, () => test(`requires ${tool}`, () => void fail(note)));
    return (name, body) => {
        console.warn(`skipped "${name}": ${note}`);
        describe.skip(name, body);
    };
}
function fail(note) {
    throw new Error(`${note}; CI must install it (.ci/run)`);
}
//# sourceMappingURL=requires.js.map