/** Kept equal to package.json's version (a test checks it); reported to the server in metrics. */
export const SDK_VERSION = "0.1.0";

/** The `sdk` field of metrics payloads. */
export const SDK_NAME = `switchyard-node/${SDK_VERSION}`;
