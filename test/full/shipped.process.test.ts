/** Every shipped scenario at speed 1 on the process runtime (see ../scenarioSuite.ts). */
import { shippedScenarios } from '../scenarioSuite.js'

shippedScenarios('process', 1)
