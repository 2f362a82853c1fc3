export { SwitchyardWebProvider, type SwitchyardProviderOptions } from "./switchyard-web-provider";
export { toSwitchyardContext } from "./context-mapping";
