import { homedir } from 'node:os'
import { Elysia } from 'elysia'
import { CliToolsPage, ToolCard, type ToolNotice } from '../../../views/pages/cli-tools-page'
import { applyCliTool, CliToolError, isCliToolId, listCliTools, resetCliTool, type CliToolEnv } from '../../services/cli-tools'
import type { AppContext } from '../../services/context'
import { listModelChoices } from '../../services/management'
import { listApiKeys } from '../../store/api-keys'
import { createClientKey } from './endpoint'
import { field, htmlResponse, publicOrigin, readForm, renderFragment, renderPage } from './render'

/** The user's home and PATH, read per request (tests point HOME at a temp dir). */
const defaultToolEnv = (): CliToolEnv => ({ home: process.env.HOME || homedir(), path: process.env.PATH })

/** The CLI Tools page: detect tools, write their config (with a backup) or reset it. */
export function cliToolsPages(context: AppContext, toolEnv: () => CliToolEnv = defaultToolEnv) {
  const origin = (request: Request) => publicOrigin(request, `http://${context.runtime.hostname}:${context.runtime.port}`)
  const card = (id: string, notice?: ToolNotice, error?: string) => {
    const tool = listCliTools(toolEnv()).find((entry) => entry.id === id)
    return tool ? renderFragment(<ToolCard tool={tool} choices={listModelChoices(context)} notice={notice} error={error} />) : htmlResponse('')
  }
  const freshKeyName = (tool: string) => {
    const taken = new Set(listApiKeys(context.db).map((key) => key.name))
    let name = tool
    for (let n = 2; taken.has(name); n++) name = `${tool} ${n}`
    return name
  }
  return new Elysia({ name: 'pages/cli-tools' })
    .get('/cli-tools', ({ request }) =>
      renderPage(request, {
        title: 'CLI Tools',
        active: 'cli-tools',
        body: <CliToolsPage tools={listCliTools(toolEnv())} choices={listModelChoices(context)} baseUrl={`${origin(request)}/v1`} />,
      }),
    )
    .post('/cli-tools/:id/:action', async ({ params, request }) => {
      const id = params.id
      if (!isCliToolId(id)) return htmlResponse('')
      try {
        if (params.action === 'reset') {
          const backups = resetCliTool(toolEnv(), id)
          return card(id, { tone: 'ok', text: `Removed modelmux's entries.${backups.length ? ` Backup: ${backups.join(', ')}` : ''}` })
        }
        const form = await readForm(request)
        const model = field(form, 'model').trim()
        if (!model) return card(id, undefined, 'choose a model')
        let apiKey = field(form, 'apiKey').trim()
        let created = ''
        if (!apiKey) {
          const tool = listCliTools(toolEnv()).find((entry) => entry.id === id)!
          const result = createClientKey(context, freshKeyName(tool.name))
          apiKey = result.key!.key
          created = ` Created the client key "${result.key!.name}" for it.`
        }
        const backups = applyCliTool(toolEnv(), id, { origin: origin(request), apiKey, model })
        return card(id, { tone: 'ok', text: `Config written.${created}${backups.length ? ` Backup: ${backups.join(', ')}` : ''}` })
      } catch (error) {
        if (error instanceof CliToolError) return card(id, { tone: 'bad', text: error.message })
        throw error
      }
    })
}
