export { parseRelayConfig, type RelayConfig, type RelayConfigResult } from "./config";
export { createRelay, type Relay, type RelayOptions, type RelayReadiness } from "./relay";
