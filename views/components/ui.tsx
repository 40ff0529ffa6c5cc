import type { PropsWithChildren } from '@kitajs/html'

/** Field errors keyed by field name. */
export type Errors = Record<string, string>

/** An inline validation message under a field (nothing when there is none). */
export function FieldError({ error, id }: { error?: string; id?: string }) {
  if (!error) return ''
  return (
    <p class="field-error" role="alert" id={id} safe>
      {error}
    </p>
  )
}

/** A labelled input with its inline error. */
export function Field(props: {
  label: string
  name: string
  /** Element id; defaults to `field-<name>` (set it when a page holds two forms with the same fields). */
  id?: string
  value?: string | number | null
  error?: string
  type?: string
  hint?: string
  placeholder?: string
  required?: boolean
  autocomplete?: string
  inputmode?: string
}) {
  const id = props.id ?? `field-${props.name}`
  return (
    <div class="field">
      <label for={id} safe>
        {props.label}
      </label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value === undefined || props.value === null ? undefined : String(props.value)}
        placeholder={props.placeholder}
        required={props.required}
        autocomplete={props.autocomplete ?? 'off'}
        inputmode={props.inputmode}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={props.error ? `${id}-error` : undefined}
      />
      {props.hint ? (
        <p class="hint" safe>
          {props.hint}
        </p>
      ) : (
        ''
      )}
      <FieldError error={props.error} id={`${id}-error`} />
    </div>
  )
}

/** A labelled select with its inline error; `selected` is the option's value shown chosen. */
export function SelectField(props: { label: string; name: string; id: string; options: { value: string; label: string }[]; selected?: string; error?: string }) {
  return (
    <div class="field">
      <label for={props.id} safe>
        {props.label}
      </label>
      <select id={props.id} name={props.name} aria-invalid={props.error ? 'true' : undefined} aria-describedby={props.error ? `${props.id}-error` : undefined}>
        {props.options.map((option) => (
          <option value={option.value} selected={option.value === props.selected} safe>
            {option.label}
          </option>
        ))}
      </select>
      <FieldError error={props.error} id={`${props.id}-error`} />
    </div>
  )
}

/** A small coloured label. */
export function Badge({ tone, children }: PropsWithChildren<{ tone: 'ok' | 'warn' | 'bad' | 'muted' | 'info' }>) {
  return <span class={`badge badge-${tone}`}>{children}</span>
}

/** A button that copies `text` to the clipboard (handled in app.js). */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  return (
    <button type="button" class="small secondary" data-copy={text}>
      {label === 'Copy' ? 'Copy' : <span safe>{label}</span>}
    </button>
  )
}

/** A card with a heading. */
export function Card({ title, id, children, actions }: PropsWithChildren<{ title: string; id?: string; actions?: JSX.Element }>) {
  return (
    <section class="card" id={id}>
      <div class="card-head">
        <h2 safe>{title}</h2>
        {actions ?? ''}
      </div>
      {children}
    </section>
  )
}

/** A notice line: success or failure of the last action. */
export function Notice({ tone, text }: { tone: 'ok' | 'bad'; text?: string }) {
  if (!text) return ''
  return (
    <p class={`notice notice-${tone}`} role="status" safe>
      {text}
    </p>
  )
}

/** Formats a count compactly (1.2k, 3.4M). */
export function formatCount(value: number): string {
  if (value >= 1_000_000) return `${(value / 1_000_000).toFixed(1)}M`
  if (value >= 10_000) return `${Math.round(value / 1000)}k`
  if (value >= 1000) return `${(value / 1000).toFixed(1)}k`
  return String(value)
}

/** Formats a duration in ms as "2 min", "35 s". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000))
  if (seconds < 90) return `${seconds} s`
  const minutes = Math.round(seconds / 60)
  if (minutes < 90) return `${minutes} min`
  return `${Math.round(minutes / 60)} h`
}

/** Formats a timestamp as ISO-like local-independent text (UTC). */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)} UTC`
}

/** Formats US dollars. */
export function formatDollars(value: number): string {
  // A cost too small for four decimals is still a cost: "$0.0000" would read as nothing.
  if (value > 0 && value < 0.00005) return '<$0.0001'
  return value < 0.01 && value > 0 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`
}
