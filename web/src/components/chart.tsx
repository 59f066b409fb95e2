import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { isDark } from "../theme.js";

export interface ChartSeries {
  label: string;
  /** A CSS custom property holding the colour, e.g. `--ok`, so both themes apply. */
  colorVar: string;
  values: Array<number | null>;
  /** Draw as a step line (a limit), not a smooth one. */
  stepped?: boolean;
}

/**
 * A time-series chart (uPlot on a canvas). A canvas says nothing to a screen reader, so the
 * figure carries a text summary (`summary`) as its accessible name; the numbers are also on the
 * page as text.
 */
export function TimeChart({
  title,
  summary,
  times,
  series,
  height = 180,
}: {
  title: string;
  summary: string;
  times: number[];
  series: ChartSeries[];
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = series.map((s) => `${s.label}:${s.colorVar}:${s.stepped ? 1 : 0}`).join("|");

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const style = getComputedStyle(document.documentElement);
    const color = (v: string) => style.getPropertyValue(v).trim() || (isDark() ? "#ddd" : "#333");
    const axis = { stroke: color("--fg-muted"), grid: { stroke: color("--border"), width: 1 } };
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      // Wider tick spacing on time: second-long buckets otherwise get millisecond labels.
      axes: [
        { ...axis, space: 90 },
        { ...axis, size: 50 },
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: color(s.colorVar),
          width: 2,
          ...(s.stepped ? { paths: uPlot.paths.stepped?.({ align: 1 }) } : {}),
        })),
      ],
    };
    plot.current = new uPlot(opts, [[], ...series.map(() => [])], el);
    const resize = new ResizeObserver(() =>
      plot.current?.setSize({ width: Math.max(200, el.clientWidth), height }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // Rebuilt only when the series' shape changes; new data goes through setData below.
  }, [shape, height]);

  useEffect(() => {
    plot.current?.setData([times, ...series.map((s) => s.values)] as uPlot.AlignedData);
  });

  return (
    <figure class="chart" role="img" aria-label={`${title}: ${summary}`}>
      <figcaption>{title}</figcaption>
      <div ref={box} />
    </figure>
  );
}
