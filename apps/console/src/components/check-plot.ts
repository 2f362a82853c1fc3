import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { CheckEvidence } from "../api/deploy-types";

const seconds = (iso: string) => Date.parse(iso) / 1000;

export interface FlagOffMark {
  flag: string;
  disabledAt: string;
}

/**
 * A check's value per interval (at each interval's end) against its bound, with a vertical line
 * where each flag went off. Loaded on demand: uPlot stays out of the console's first download.
 */
export function plotCheck(element: HTMLElement, check: CheckEvidence, startedAt: string, flagsOff: readonly FlagOffMark[]): () => void {
  const xs = check.intervals.map((i) => seconds(i.to));
  const values = check.intervals.map((i) => i.value);
  const bound = check.max ?? check.min;
  const offs = flagsOff.map((f) => seconds(f.disabledAt));
  const start = seconds(startedAt);
  const series: uPlot.Series[] = [
    {},
    { label: check.signal, stroke: "#1d4ed8", width: 2, points: { show: true, size: 6 }, spanGaps: false },
  ];
  const data: Array<Array<number | null>> = [xs, values];
  if (bound !== null) {
    series.push({
      label: `${check.max !== null ? "max" : "min"} ${bound}`,
      stroke: "#b91c1c",
      dash: [6, 4],
      width: 1.5,
      points: { show: false },
    });
    data.push(xs.map(() => bound));
  }
  const drawFlagOffs = (u: uPlot) => {
    const { ctx, bbox } = u;
    ctx.save();
    ctx.strokeStyle = "#b45309";
    ctx.fillStyle = "#b45309";
    ctx.lineWidth = 2 * devicePixelRatio;
    ctx.setLineDash([]);
    ctx.font = `${12 * devicePixelRatio}px system-ui, sans-serif`;
    flagsOff.forEach((off, index) => {
      const x = u.valToPos(offs[index] ?? 0, "x", true);
      ctx.beginPath();
      ctx.moveTo(x, bbox.top);
      ctx.lineTo(x, bbox.top + bbox.height);
      ctx.stroke();
      ctx.fillText(`${off.flag} off`, x + 4 * devicePixelRatio, bbox.top + 14 * devicePixelRatio);
    });
    ctx.restore();
  };
  const plot = new uPlot(
    {
      width: Math.max(280, element.clientWidth),
      height: 220,
      series,
      scales: {
        x: { time: true, range: (_u, min, max) => [Math.min(min, start, ...offs), Math.max(max, ...offs)] },
        y: { range: (_u, min, max) => [Math.min(0, min, bound ?? 0), Math.max(max, bound ?? 0) * 1.15 || 1] },
      },
      axes: [{}, { size: 60 }],
      hooks: { draw: [drawFlagOffs] },
    },
    // uPlot's AlignedData allows nulls for gaps in every series but the x values.
    data as uPlot.AlignedData,
    element,
  );
  const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(280, element.clientWidth), height: 220 }));
  resize.observe(element);
  return () => {
    resize.disconnect();
    plot.destroy();
  };
}
