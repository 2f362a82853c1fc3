// fs-native-extensions ships no declarations; these are the two functions the data folder lock uses.
declare module "fs-native-extensions" {
  /** An exclusive lock on the whole file (a shared one with `{ shared: true }`); `false` when another descriptor holds it. */
  export function tryLock(fd: number, options?: { shared?: boolean }): boolean;
  export function unlock(fd: number): void;
}
