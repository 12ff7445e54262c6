/** Whether this run is CI (`CI=true`, as `.ci/run` is started). */
export declare const inCi: boolean;
/**
 * `describe`, if `available`; otherwise a suite that skips (locally) or fails (CI) with `install` as the fix.
 * @example
 * requires('chromium', Boolean(chromium), 'apt-get install -y chromium')('render', () => { ... })
 */
export declare function requires(tool: string, available: boolean, install: string): (name: string, body: () => void) => void;
