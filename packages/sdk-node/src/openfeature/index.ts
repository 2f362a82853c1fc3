export { SwitchyardProvider } from "./switchyard-provider";
export { toResolution, toSwitchyardContext } from "./resolution";
