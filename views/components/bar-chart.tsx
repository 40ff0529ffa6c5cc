/** One bar: a label for its start, a total, and the part of it that failed. */
export interface ChartBar {
  label: string
  value: number
  errors: number
}

/**
 * A server-rendered SVG bar chart (errors stacked in the second colour); scales to its container. The scale's top is
 * the largest bar, and at least `least` (1, for counts); `format` writes values (the top, each bar's hover text)
 * when a plain number will not do, such as dollars.
 */
export function BarChart(props: { bars: ChartBar[]; title: string; unit: string; least?: number; format?: (value: number) => string }) {
  const { bars, title, unit, format = String } = props
  const width = 640
  const height = 180
  const left = 36
  const bottom = 22
  const top = 8
  const plotHeight = height - top - bottom
  const max = Math.max(props.least ?? 1, ...bars.map((bar) => bar.value))
  const scale = max > 0 ? max : 1
  const slot = (width - left) / Math.max(1, bars.length)
  const barWidth = Math.max(1, slot * 0.72)
  const labelEvery = Math.max(1, Math.ceil(bars.length / 8))
  const y = (value: number) => top + plotHeight - (value / scale) * plotHeight
  return (
    <svg class="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title} preserveAspectRatio="none">
      <title safe>{title}</title>
      <line class="axis" x1={String(left)} y1={String(top + plotHeight)} x2={String(width)} y2={String(top + plotHeight)} />
      <line class="axis" x1={String(left)} y1={String(top)} x2={String(width)} y2={String(top)} stroke-dasharray="3 3" />
      <text x="2" y={String(top + 9)} safe>
        {format(max)}
      </text>
      <text x="2" y={String(top + plotHeight)}>
        0
      </text>
      {bars.map((bar, index) => {
        const x = left + index * slot + (slot - barWidth) / 2
        return (
          <g>
            <title safe>{`${bar.label}: ${format(bar.value)}${unit ? ` ${unit}` : ''}${bar.errors ? `, ${bar.errors} failed` : ''}`}</title>
            {bar.value > 0 ? <rect class="bar" x={x.toFixed(1)} y={y(bar.value).toFixed(1)} width={barWidth.toFixed(1)} height={(top + plotHeight - y(bar.value)).toFixed(1)} rx="1.5" /> : ''}
            {bar.errors > 0 ? <rect class="bar-error" x={x.toFixed(1)} y={y(bar.errors).toFixed(1)} width={barWidth.toFixed(1)} height={(top + plotHeight - y(bar.errors)).toFixed(1)} rx="1.5" /> : ''}
            {index % labelEvery === 0 ? (
              <text x={x.toFixed(1)} y={String(height - 6)} safe>
                {bar.label}
              </text>
            ) : (
              ''
            )}
          </g>
        )
      })}
    </svg>
  )
}
