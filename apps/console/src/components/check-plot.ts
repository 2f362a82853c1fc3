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
  return mount(
    element,
    {
      series,
      scales: {
        x: { time: true, range: (_u, min, max) => [Math.min(min, start, ...offs), Math.max(max, ...offs)] },
        y: { range: (_u, min, max) => [Math.min(0, min, bound ?? 0), Math.max(max, bound ?? 0) * 1.15 || 1] },
      },
      axes: [{}, { size: 60 }],
      hooks: { draw: [drawFlagOffs] },
      // uPlot's AlignedData allows nulls for gaps in every series but the x values.
    },
    data as uPlot.AlignedData,
  );
}

/** A chart that follows its element's width, destroyed by the function it returns. */
function mount(element: HTMLElement, options: Omit<uPlot.Options, "width" | "height">, data: uPlot.AlignedData): () => void {
  const width = () => Math.max(280, element.clientWidth);
  const plot = new uPlot({ ...options, width: width(), height: 220 }, data, element);
  const resize = new ResizeObserver(() => plot.setSize({ width: width(), height: 220 }));
  resize.observe(element);
  return () => {
    resize.disconnect();
    plot.destroy();
  };
}

/**
 * How many SDK instances served the flag-off over time (a step per acknowledgement, from the
 * moment the flag went off), against how many are connected.
 */
export function plotAcknowledgements(
  element: HTMLElement,
  disabledAt: string,
  acknowledgedAt: readonly string[],
  connected: number,
): () => void {
  const times = [seconds(disabledAt), ...acknowledgedAt.map(seconds)];
  const served = times.map((_, index) => index);
  const last = times.at(-1) ?? seconds(disabledAt);
  const xs = [...times, last + Math.max(1, (last - (times[0] ?? last)) * 0.1)];
  return mount(
    element,
    {
      series: [
        {},
        { label: "serving the flag-off", stroke: "#1a7f37", width: 2, paths: uPlot.paths.stepped?.({ align: 1 }), points: { show: true } },
        { label: "connected", stroke: "#59636e", dash: [6, 4], width: 1.5, points: { show: false } },
      ],
      scales: { x: { time: true }, y: { range: () => [0, Math.max(1, connected, served.length - 1) * 1.15] } },
      axes: [{}, { size: 50 }],
    },
    [xs, [...served, served.at(-1) ?? 0], xs.map(() => connected)],
  );
}
