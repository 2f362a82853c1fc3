/** Calls a method with arguments its types forbid, as untyped JavaScript callers can. */
export function callUntyped(target: object, method: string, ...args: unknown[]): unknown {
  const fn: unknown = Reflect.get(target, method);
  if (typeof fn !== "function") throw new Error(`no method ${method}`);
  return Reflect.apply(fn, target, args);
}
