import type { RefObject } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

type PlotModule = typeof import("./check-plot");

/**
 * Draws into the returned ref with the chart module, fetched the first time a page needs a chart
 * (uPlot stays out of the console's first download). `failed` when the module could not load.
 */
export function useLazyPlot(
  draw: (plots: PlotModule, element: HTMLElement) => () => void,
  keys: readonly unknown[],
): { ref: RefObject<HTMLDivElement | null>; failed: boolean } {
  const ref = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (element === null) return;
    let dispose: (() => void) | undefined;
    let cancelled = false;
    import("./check-plot").then(
      (plots) => {
        if (!cancelled) dispose = draw(plots, element);
      },
      () => setFailed(true),
    );
    return () => {
      cancelled = true;
      dispose?.();
    };
  }, keys);
  return { ref, failed };
}
