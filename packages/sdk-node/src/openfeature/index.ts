export { SwitchyardProvider } from "./switchyard-provider";
export { toSwitchyardContext } from "./context-mapping";
export { toResolution } from "./resolution";
