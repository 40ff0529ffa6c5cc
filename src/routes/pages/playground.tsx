import { Elysia } from 'elysia'
import { PlaygroundAnswer, PlaygroundForm, PlaygroundPage } from '../../../views/pages/playground-page'
import type { AppContext } from '../../services/context'
import { listModelChoices } from '../../services/management'
import { nextHistory, readHistory, readPlaygroundForm, runPlayground, type PlaygroundInput, type PlaygroundResult } from '../../services/playground'
import { listApiKeys } from '../../store/api-keys'
import { readForm, renderPage } from './render'

/** The form after a run: the answered prompt joins the conversation and the prompt box empties; a failed one stays to send again. */
function afterRun(input: PlaygroundInput, result: PlaygroundResult): Partial<PlaygroundInput> {
  const history = nextHistory(input, result)
  return { ...input, history, prompt: history === input.history ? input.prompt : '' }
}

/**
 * The Playground page: a prompt sent through the real router, answered with its trace. A plain form post gets the
 * whole page back once the answer is complete; the page's script posts to `/playground/live` instead and reads
 * NDJSON lines: `{"text"}` / `{"reasoning"}` as they stream, then `{"answer", "form"}` (HTML), or only `{"form"}`
 * when a field was refused.
 */
export function playgroundPages(context: AppContext) {
  const keyNames = () => new Map(listApiKeys(context.db).map((key) => [key.id, key.name]))
  const read = async (request: Request) => {
    const form = await readForm(request)
    const checked = readPlaygroundForm(form)
    // Refused values are shown back as typed.
    const values = (checked.ok ? checked.value : { ...form, stream: form.stream === 'on', history: readHistory(form.history) ?? [] }) as Partial<PlaygroundInput>
    return { checked, values }
  }
  const formHtml = (values: Partial<PlaygroundInput>, errors?: Record<string, string>) => <PlaygroundForm choices={listModelChoices(context)} values={values} errors={errors} />
  return new Elysia({ name: 'pages/playground' })
    .get('/playground', ({ request }) =>
      renderPage(request, { title: 'Playground', active: 'playground', body: <PlaygroundPage choices={listModelChoices(context)} /> }),
    )
    .post('/playground', async ({ request }) => {
      const { checked, values } = await read(request)
      if (!checked.ok) return renderPage(request, { title: 'Playground', active: 'playground', body: <PlaygroundPage choices={listModelChoices(context)} values={values} errors={checked.errors} /> })
      const result = await runPlayground(context, checked.value, { signal: request.signal })
      const answer = <PlaygroundAnswer result={result} keyNames={keyNames()} />
      return renderPage(request, { title: 'Playground', active: 'playground', body: <PlaygroundPage choices={listModelChoices(context)} values={afterRun(checked.value, result)} result={answer} /> })
    })
    .post('/playground/live', async ({ request }) => {
      const { checked, values } = await read(request)
      const headers = { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' }
      if (!checked.ok) return new Response(`${JSON.stringify({ form: await formHtml(values, checked.errors) })}\n`, { headers })
      const encoder = new TextEncoder()
      const stop = new AbortController()
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          const send = (line: object) => {
            if (!stop.signal.aborted) controller.enqueue(encoder.encode(`${JSON.stringify(line)}\n`))
          }
          const result = await runPlayground(context, checked.value, { signal: stop.signal, onOutput: (kind, text) => send({ [kind]: text }) })
          send({ answer: await (<PlaygroundAnswer result={result} keyNames={keyNames()} />), form: await formHtml(afterRun(checked.value, result)) })
          if (!stop.signal.aborted) controller.close()
        },
        // The page went away: the upstream call stops too.
        cancel() {
          stop.abort()
        },
      })
      return new Response(body, { headers })
    })
}
