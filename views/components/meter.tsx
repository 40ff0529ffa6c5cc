import { formatDuration, formatTime } from './ui'

/** A duration as "35 s", "12 min", "5 h" or, from two days on, "9 d". */
export function formatSpan(ms: number): string {
  return ms >= 48 * 3_600_000 ? `${Math.round(ms / 86_400_000)} d` : formatDuration(ms)
}

/** A progress bar for a percentage used (warn from 75 %, bad from 95 %). */
export function Meter({ percent, label }: { percent: number; label: string }) {
  const value = Math.max(0, Math.min(100, Math.round(Number.isFinite(percent) ? percent : 0)))
  return (
    <div class={`meter${value >= 95 ? ' bad' : value >= 75 ? ' warn' : ''}`} role="progressbar" aria-valuenow={String(value)} aria-valuemin="0" aria-valuemax="100" aria-label={label}>
      <span style={`width: ${value}%`}></span>
    </div>
  )
}

/** "in 3 h" (or "5 min ago") for a moment; app.js keeps the text current while the page stays open. */
export function Countdown({ at, now }: { at: number; now: number }) {
  const text = at >= now ? `in ${formatSpan(at - now)}` : `${formatSpan(now - at)} ago`
  return (
    <time datetime={new Date(at).toISOString()} data-countdown={String(at)} title={formatTime(at)} safe>
      {text}
    </time>
  )
}
