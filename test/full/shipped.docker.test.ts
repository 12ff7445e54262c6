/** Every shipped scenario at speed 1 on the docker runtime (see ../scenarioSuite.ts). */
import { shippedScenarios } from '../scenarioSuite.js'

shippedScenarios('docker', 1)
