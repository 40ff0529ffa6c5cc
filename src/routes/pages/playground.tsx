import { Elysia } from 'elysia'
import { PlaygroundAnswer, PlaygroundForm, PlaygroundPage } from '../../../views/pages/playground-page'
import type { AppContext } from '../../services/context'
import { listModelChoices } from '../../services/management'
import { readPlaygroundForm, runPlayground } from '../../services/playground'
import { listApiKeys } from '../../store/api-keys'
import { isPartialRequest, readForm, renderFragment, renderPage } from './render'

/** The Playground page: a prompt sent through the real router, answered with its trace. */
export function playgroundPages(context: AppContext) {
  const keyNames = () => new Map(listApiKeys(context.db).map((key) => [key.id, key.name]))
  return new Elysia({ name: 'pages/playground' })
    .get('/playground', ({ request }) =>
      renderPage(request, { title: 'Playground', active: 'playground', body: <PlaygroundPage choices={listModelChoices(context)} /> }),
    )
    .post('/playground', async ({ request }) => {
      const form = await readForm(request)
      const checked = readPlaygroundForm(form)
      const values = checked.ok ? checked.value : { ...form, stream: form.stream === 'on' }
      const page = (result?: JSX.Element, errors?: Record<string, string>) =>
        renderPage(request, { title: 'Playground', active: 'playground', body: <PlaygroundPage choices={listModelChoices(context)} values={values as never} errors={errors} result={result} /> })
      if (!checked.ok) {
        // htmx swaps the answer area: it empties, and the form comes back out of band with its fields' errors.
        return isPartialRequest(request) ? renderFragment(<PlaygroundForm choices={listModelChoices(context)} values={values as never} errors={checked.errors} oob />) : page(undefined, checked.errors)
      }
      const answer = <PlaygroundAnswer result={await runPlayground(context, checked.value)} keyNames={keyNames()} />
      // The form comes back too (out of band), so errors from an earlier try are cleared.
      return isPartialRequest(request) ? renderFragment(<>{answer}<PlaygroundForm choices={listModelChoices(context)} values={values as never} oob /></>) : page(answer)
    })
}
