/** The scenario checker on the process runtime (see scenarioSuite.ts). */
import { scenarioSuite } from './scenarioSuite.js'

scenarioSuite('process')
