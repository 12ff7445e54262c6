/** Reports of scenario runs: JSON (everything), JUnit XML (CI), an HTML timeline (people). */
export { renderHtmlTimeline, writeHtmlTimeline } from './html.js'
export { writeJsonReport, type JsonReport } from './json.js'
export { invariantJUnitReport, junitReport, writeJUnitReport, type JUnitOptions } from './junit.js'
