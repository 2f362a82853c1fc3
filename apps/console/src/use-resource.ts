import { useCallback, useEffect, useRef, useState } from "preact/hooks";

export interface Resource<T> {
  data: T | undefined;
  error: Error | undefined;
  reload(): void;
}

/**
 * Loads `load()` whenever `keys` change (the live revision among them). The last data stays on
 * screen while a reload is in flight, so a live update never flickers; an answer that arrives after
 * a newer request started is dropped.
 */
export function useResource<T>(load: () => Promise<T>, keys: readonly unknown[]): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [bump, setBump] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const request = ++latest.current;
    load().then(
      (value) => {
        if (request !== latest.current) return;
        setData(value);
        setError(undefined);
      },
      (failure: unknown) => {
        if (request !== latest.current) return;
        setError(failure instanceof Error ? failure : new Error(String(failure)));
      },
    );
  }, [...keys, bump]);
  const reload = useCallback(() => setBump((b) => b + 1), []);
  return { data, error, reload };
}
