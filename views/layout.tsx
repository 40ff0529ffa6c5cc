import type { PropsWithChildren } from '@kitajs/html'

/** The dashboard's pages in navigation order: id, path, label. */
export const navItems = [
  ['endpoint', '/dashboard', 'Endpoint'],
  ['providers', '/dashboard/providers', 'Providers'],
  ['combos', '/dashboard/combos', 'Combos'],
  ['playground', '/dashboard/playground', 'Playground'],
  ['usage', '/dashboard/usage', 'Usage'],
  ['quota', '/dashboard/quota', 'Quota'],
  ['logs', '/dashboard/logs', 'Logs'],
  ['cli-tools', '/dashboard/cli-tools', 'CLI Tools'],
  ['settings', '/dashboard/settings', 'Settings'],
] as const

/** A page id from `navItems`. */
export type PageId = (typeof navItems)[number][0]

/** The navigation: plain links that htmx upgrades to swap only `#main` (and push the URL). */
export function Nav({ active, oob }: { active?: PageId; oob?: boolean }) {
  return (
    <nav id="nav" aria-label="Dashboard" hx-swap-oob={oob ? 'true' : undefined}>
      {navItems.map(([id, href, label]) => (
        <a href={href} hx-get={href} hx-target="#main" hx-push-url="true" aria-current={id === active ? 'page' : undefined}>
          {label}
        </a>
      ))}
    </nav>
  )
}

/** The page shell: embedded CSS and scripts, the top bar (theme toggle, sign out) and the navigation when signed in. */
export function Layout({ title, signedIn, active, children }: PropsWithChildren<{ title: string; signedIn: boolean; active?: PageId }>) {
  return (
    <>
      {'<!doctype html>'}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="color-scheme" content="light dark" />
          <meta name="htmx-config" content='{"defaultTimeout": 30000}' />
          <title safe>{title} · modelmux</title>
          <link rel="icon" href="data:," />
          <link rel="stylesheet" href="/static/app.css" />
          <script src="/static/app.js"></script>
          <script src="/static/htmx.min.js" defer></script>
          <script src="/static/alpine.min.js" defer></script>
        </head>
        <body>
          <header class="topbar">
            <a class="brand" href="/">
              modelmux
            </a>
            <div class="topbar-actions">
              <button type="button" class="ghost" data-theme-toggle aria-label="Toggle dark or light theme" title="Toggle theme">
                <span class="theme-icon" aria-hidden="true"></span>
                <span class="sr-only">Theme</span>
              </button>
              {signedIn ? (
                <form method="post" action="/logout" class="inline">
                  <button type="submit" class="ghost">
                    Sign out
                  </button>
                </form>
              ) : (
                ''
              )}
            </div>
          </header>
          {signedIn ? <Nav active={active} /> : ''}
          <main id="main">{children}</main>
        </body>
      </html>
    </>
  )
}
