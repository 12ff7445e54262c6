/** The scenario checker on the docker runtime (see ../scenarioSuite.ts). */
import { scenarioSuite } from '../scenarioSuite.js'

scenarioSuite('docker')
