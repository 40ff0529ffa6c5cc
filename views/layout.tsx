import type { PropsWithChildren } from '@kitajs/html'

/** The page shell: embedded CSS, htmx and Alpine, and the navigation when signed in. */
export function Layout({ title, signedIn, children }: PropsWithChildren<{ title: string; signedIn: boolean }>) {
  return (
    <>
      {'<!doctype html>'}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="color-scheme" content="light dark" />
          <title safe>{title} · modelmux</title>
          <link rel="stylesheet" href="/static/app.css" />
          <script src="/static/htmx.min.js" defer></script>
          <script src="/static/alpine.min.js" defer></script>
        </head>
        <body>
          <header class="topbar">
            <a class="brand" href="/">modelmux</a>
            {signedIn ? (
              <nav>
                <a href="/dashboard">Overview</a>
                <form method="post" action="/logout" class="inline">
                  <button type="submit" class="link">Sign out</button>
                </form>
              </nav>
            ) : (
              ''
            )}
          </header>
          <main>{children}</main>
        </body>
      </html>
    </>
  )
}
