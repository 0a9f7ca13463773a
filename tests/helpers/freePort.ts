/** One free-port finder for the whole project: the e2e harness's. */
export { freePort } from "../../e2e/processes";
