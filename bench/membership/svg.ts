/**
 * A tiny SVG line chart (no dependencies): white background, axes with ticks, an optional
 * logarithmic x axis, one or more series drawn as points and/or a line, a legend, a title and
 * axis labels. Sized for a README on GitHub (640 × 360 by default).
 */

/** One series of a chart. */
export interface Series {
  readonly name: string
  readonly points: readonly (readonly [number, number])[]
  readonly color: string
  /** Draw markers at the points (default true). */
  readonly markers?: boolean
  /** Join the points with a line (default true). */
  readonly line?: boolean
  readonly dashed?: boolean
  /** Vertical ranges drawn at some x (min–max over seeds, say). */
  readonly ranges?: readonly (readonly [number, number, number])[]
}

export interface ChartOptions {
  readonly title: string
  readonly xLabel: string
  readonly yLabel: string
  readonly series: readonly Series[]
  readonly logX?: boolean
  /** Tick values of the x axis (default: the points' x values). */
  readonly xTicks?: readonly number[]
  /** The y axis starts here (default 0). */
  readonly yMin?: number
  readonly width?: number
  readonly height?: number
  /** The legend's left edge, in px from the plot's left edge (default 8: top left). */
  readonly legendX?: number
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** A "nice" tick step (1, 2 or 5 × 10^k) giving about `count` ticks over `span`. */
function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count)
  const power = 10 ** Math.floor(Math.log10(raw))
  const unit = raw / power
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power
}

function label(value: number): string {
  if (Math.abs(value) >= 1000) return value.toLocaleString('en-US')
  return String(Math.round(value * 1000) / 1000)
}

const r1 = (v: number): string => (Math.round(v * 10) / 10).toString()

/** Renders the chart as an SVG document. */
export function lineChart(options: ChartOptions): string {
  const width = options.width ?? 640
  const height = options.height ?? 360
  const left = 64
  const right = 20
  const top = 40
  const bottom = 52
  const plotW = width - left - right
  const plotH = height - top - bottom
  const all = options.series.flatMap((s) => [
    ...s.points,
    ...(s.ranges ?? []).flatMap(([x, lo, hi]) => [[x, lo] as const, [x, hi] as const]),
  ])
  const xs = all.map((p) => p[0])
  const ys = all.map((p) => p[1])
  const logX = options.logX ?? false
  const fx = (x: number): number => (logX ? Math.log10(x) : x)
  const x0 = fx(Math.min(...xs))
  const x1 = fx(Math.max(...xs))
  const xPad = (x1 - x0) * 0.05 || 1
  const yMin = options.yMin ?? 0
  const yStep = niceStep(Math.max(...ys) - yMin || 1, 5)
  const yMax = Math.ceil((Math.max(...ys) * 1.05) / yStep) * yStep || yMin + yStep
  const px = (x: number): number => left + ((fx(x) - (x0 - xPad)) / (x1 - x0 + 2 * xPad)) * plotW
  const py = (y: number): number => top + plotH - ((y - yMin) / (yMax - yMin)) * plotH
  const out: string[] = []
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12" role="img">`,
    `<title>${escapeXml(options.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(options.title)}</text>`,
  )
  // y grid and ticks
  for (let y = yMin; y <= yMax + yStep / 1e6; y += yStep) {
    const v = py(y)
    out.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${r1(v)}" y2="${r1(v)}" stroke="#e5e5e5"/>`,
      `<text x="${left - 6}" y="${r1(v + 4)}" text-anchor="end" fill="#333">${label(y)}</text>`,
    )
  }
  // x ticks
  const xTicks = options.xTicks ?? [...new Set(options.series.flatMap((s) => s.points.map((p) => p[0])))]
  for (const x of xTicks) {
    const v = px(x)
    out.push(
      `<line x1="${r1(v)}" x2="${r1(v)}" y1="${top + plotH}" y2="${top + plotH + 5}" stroke="#333"/>`,
      `<text x="${r1(v)}" y="${top + plotH + 18}" text-anchor="middle" fill="#333">${label(x)}</text>`,
    )
  }
  // axes
  out.push(
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#333"/>`,
    `<line x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}" stroke="#333"/>`,
    `<text x="${left + plotW / 2}" y="${height - 12}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `<text transform="translate(16 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
  )
  // series, clipped to the plot area (a fitted line may leave it)
  out.push(
    `<clipPath id="plot"><rect x="${left}" y="${top}" width="${plotW}" height="${plotH}"/></clipPath>`,
    '<g clip-path="url(#plot)">',
  )
  for (const s of options.series) {
    const dash = s.dashed === true ? ' stroke-dasharray="6 4"' : ''
    for (const [x, lo, hi] of s.ranges ?? []) {
      out.push(
        `<line x1="${r1(px(x))}" x2="${r1(px(x))}" y1="${r1(py(lo))}" y2="${r1(py(hi))}" stroke="${s.color}" stroke-width="1.5" opacity="0.6"/>`,
      )
    }
    if (s.line !== false && s.points.length > 1) {
      const d = s.points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${r1(px(x))} ${r1(py(y))}`).join(' ')
      out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`)
    }
    if (s.markers !== false) {
      for (const [x, y] of s.points)
        out.push(`<circle cx="${r1(px(x))}" cy="${r1(py(y))}" r="3.5" fill="${s.color}"/>`)
    }
  }
  out.push('</g>')
  // legend, at the top inside the plot (left unless legendX moves it)
  const lx = left + (options.legendX ?? 8) - 8
  options.series.forEach((s, i) => {
    const y = top + 14 + i * 18
    const dash = s.dashed === true ? ' stroke-dasharray="6 4"' : ''
    out.push(
      `<rect x="${lx + 8}" y="${y - 11}" width="${Math.max(...options.series.map((t) => t.name.length)) * 6.6 + 34}" height="16" fill="#fff" opacity="0.85"/>`,
      s.line !== false
        ? `<line x1="${lx + 12}" x2="${lx + 32}" y1="${y - 3}" y2="${y - 3}" stroke="${s.color}" stroke-width="2"${dash}/>`
        : '',
      s.markers !== false ? `<circle cx="${lx + 22}" cy="${y - 3}" r="3.5" fill="${s.color}"/>` : '',
      `<text x="${lx + 38}" y="${y + 1}">${escapeXml(s.name)}</text>`,
    )
  })
  out.push('</svg>')
  return `${out.filter((line) => line !== '').join('\n')}\n`
}
