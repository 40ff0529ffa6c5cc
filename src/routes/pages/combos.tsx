import { Elysia } from 'elysia'
import { AliasSection, ComboForm, ComboList, CombosPage, MappingSection, RouteSection, ScenarioSection, type ComboView } from '../../../views/pages/combos-page'
import type { AppContext } from '../../services/context'
import { addMapping, addScenario, editRoutingRule, listModelChoices, readSettings, removeAlias, removeCombo, saveAlias, saveCombo } from '../../services/management'
import { listAliases, listCombos } from '../../store/combos'
import { field, fieldList, isPartialRequest, readForm, renderFragment, renderPage } from './render'
import { explainRoute } from '../../services/route-explain'

/** The Combos page and its fragments: combo editor, aliases, model mapping and scenarios. */
export function combosPages(context: AppContext) {
  const combos = () => listCombos(context.db)
  const rules = () => readSettings(context).routing?.modelMapping ?? []
  const scenarios = () => readSettings(context).routing?.scenarios ?? []
  // An unknown action is a 404, never a deletion.
  const ruleAction = (action: string) => (action === 'up' || action === 'down' || action === 'delete' ? action : undefined)
  const notFound = () => new Response('unknown action', { status: 404 })
  const editor = (props: Parameters<typeof ComboForm>[0]['combo'] = undefined, errors = {}, notice?: string) => (
    <ComboForm combo={props} choices={listModelChoices(context)} errors={errors} notice={notice} />
  )
  const save = async (request: Request, id?: number) => {
    const form = await readForm(request)
    const input = { id, name: field(form, 'name'), models: fieldList(form, 'models'), strategy: (field(form, 'strategy') || undefined) as ComboView['strategy'] }
    const result = saveCombo(context, input)
    if (!result.ok) return renderFragment(editor(input, result.errors))
    return renderFragment(
      <>
        {editor(undefined, {}, `Saved "${result.value}".`)}
        <ComboList combos={combos()} oob />
      </>,
    )
  }
  return new Elysia({ name: 'pages/combos' })
    .get('/combos', ({ request }) =>
      renderPage(request, {
        title: 'Combos',
        active: 'combos',
        body: <CombosPage combos={combos()} choices={listModelChoices(context)} aliases={listAliases(context.db)} rules={rules()} scenarios={scenarios()} />,
      }),
    )
    .get('/route', ({ request }) => {
      const model = new URL(request.url).searchParams.get('model')?.trim()
      const section = <RouteSection choices={listModelChoices(context)} explanation={model ? explainRoute(context, model) : undefined} />
      // A plain GET (no JavaScript) gets the Combos page with the answer in place.
      if (isPartialRequest(request)) return renderFragment(section)
      return renderPage(request, { title: 'Combos', active: 'combos', body: <CombosPage combos={combos()} choices={listModelChoices(context)} aliases={listAliases(context.db)} rules={rules()} scenarios={scenarios()} route={section} /> })
    })
    .get('/combos/new', () => renderFragment(editor()))
    .get('/combos/:id/edit', ({ params }) => renderFragment(editor(combos().find((combo) => combo.id === Number(params.id)))))
    .post('/combos', ({ request }) => save(request))
    .post('/combos/:id', ({ request, params }) => save(request, Number(params.id)))
    .post('/combos/:id/delete', ({ params }) => {
      removeCombo(context, Number(params.id))
      return renderFragment(<ComboList combos={combos()} />)
    })
    .post('/aliases', async ({ request }) => {
      const form = await readForm(request)
      const values = { name: field(form, 'name'), target: field(form, 'target') }
      const result = saveAlias(context, values)
      return renderFragment(result.ok ? <AliasSection aliases={listAliases(context.db)} /> : <AliasSection aliases={listAliases(context.db)} errors={result.errors} values={values} />)
    })
    .post('/aliases/:name/delete', ({ params }) => {
      removeAlias(context, decodeURIComponent(params.name))
      return renderFragment(<AliasSection aliases={listAliases(context.db)} />)
    })
    .post('/mapping', async ({ request }) => {
      const form = await readForm(request)
      const values = { match: field(form, 'match'), target: field(form, 'target') }
      const result = addMapping(context, values.match, values.target)
      return renderFragment(result.ok ? <MappingSection rules={rules()} /> : <MappingSection rules={rules()} errors={result.errors} values={values} />)
    })
    .post('/mapping/:index/:action', ({ params }) => {
      const action = ruleAction(params.action)
      if (!action) return notFound()
      editRoutingRule(context, 'modelMapping', Number(params.index), action)
      return renderFragment(<MappingSection rules={rules()} />)
    })
    .post('/scenarios', async ({ request }) => {
      const form = await readForm(request)
      const values = { when: field(form, 'when'), model: field(form, 'model'), match: field(form, 'match'), minTokens: field(form, 'minTokens') }
      const result = addScenario(context, values)
      return renderFragment(result.ok ? <ScenarioSection rules={scenarios()} /> : <ScenarioSection rules={scenarios()} errors={result.errors} values={values} />)
    })
    .post('/scenarios/:index/:action', ({ params }) => {
      const action = ruleAction(params.action)
      if (!action) return notFound()
      editRoutingRule(context, 'scenarios', Number(params.index), action)
      return renderFragment(<ScenarioSection rules={scenarios()} />)
    })
}
